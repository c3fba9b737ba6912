"""The chat page at / (issue 16), driven in headless Chromium (Debian's chromium and
chromium-driver, installed by scripts/setup.sh --test) against the real server and model.

One keyed server serves the whole module, with /metrics so a test can see generations end and
a second model to switch to. Each test opens its own browser (a fresh profile: no stored key,
no conversations). Screenshots go to .build/screenshots/ (docs/images/ holds chosen ones)."""
from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import MODEL_ID, ROOT
from test_lifecycle import start, wait_until_serving

KEY = "page-key"
GEMMA = "gemma-3-270m-q4_k_m"
SHOTS = ROOT / ".build" / "screenshots"
TABLE_AND_CODE = "Show a markdown table of two fruits and their colors, then a Python code block that prints hello."


@pytest.fixture(scope="module")
def server() -> str:
    process, url = start("--api-key", KEY, "--metrics", "--models-max", "2", "--parallel", "2", "--ctx-size", "2048",
                         log="hearth-chat-page.log")
    try:
        assert wait_until_serving(process, url)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


def browser(width: int = 1200, height: int = 800, dark: bool = False, arguments: tuple[str, ...] = ()) -> webdriver.Chrome:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", *arguments):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Chrome's offer to save the API key field as a password would take the next keystrokes.
    options.add_experimental_option("prefs", {"credentials_enable_service": False, "profile.password_manager_enabled": False})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    if width < 500:  # a phone: Chrome's windows are at least 500 pixels wide
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
    if dark:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    return driver


@pytest.fixture
def page(server):
    driver = browser()
    yield driver
    # The page must never fail a script (a CSP refusal or an exception would show here).
    # (The 401 of a keyless first visit is the browser reporting the answer the page expects.)
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE" and "status of 401" not in entry["message"]]
    driver.quit()
    assert not errors, errors


def wait_for(driver, script: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def open_with_key(driver, url: str, settings: dict | None = None) -> None:
    """Opens the page with the key (and any settings) already stored, as a returning user."""
    driver.get(url + "/")
    driver.execute_script("localStorage.setItem('hearth.settings', JSON.stringify(arguments[0]))", {"apiKey": KEY, **(settings or {})})
    driver.get(url + "/")
    wait_for(driver, "return document.getElementById('model').options.length > 0")


def send(driver, text: str) -> None:
    prompt = driver.find_element(By.ID, "prompt")
    prompt.send_keys(text)
    prompt.send_keys(Keys.ENTER)


REPLY_LENGTH = "const b = [...document.querySelectorAll('article.assistant .body')].pop(); return b ? b.textContent.length : -1"
IDLE = "return !document.getElementById('send').hidden && document.querySelectorAll('article.assistant').length > 0"


def busy_slots(url: str) -> float:
    metrics = requests.get(url + "/metrics", headers={"Authorization": f"Bearer {KEY}"}, timeout=5).text
    return float(next(line.split()[1] for line in metrics.splitlines() if line.startswith("hearth_busy_slots ")))


def test_the_page_asks_for_the_key_then_streams_a_reply_and_keeps_the_conversation(server, page) -> None:
    page.get(server + "/")
    # The page itself needs no key; its first API call gets 401 and the settings ask for one.
    wait_for(page, "return document.getElementById('settings').open && !document.getElementById('key-needed').hidden")
    page.find_element(By.ID, "api-key").send_keys(KEY)
    page.find_element(By.ID, "max-tokens").send_keys("100")
    page.find_element(By.ID, "settings-done").click()
    wait_for(page, "return document.getElementById('model').options.length > 0")
    assert Select(page.find_element(By.ID, "model")).first_selected_option.text == MODEL_ID
    models = page.execute_script("return [...document.getElementById('model').options].map(o => o.value)")
    assert GEMMA in models and "all-mpnet-base-v2" not in models  # embedding models cannot chat
    templates = page.execute_script("return [...document.getElementById('instruction-template').options].map(o => o.value)")
    assert "ChatML" in templates

    send(page, "Write a short poem about a fireplace.")
    lengths = []
    deadline = time.monotonic() + 120
    while not page.execute_script(IDLE):
        lengths.append(page.execute_script(REPLY_LENGTH))
        assert time.monotonic() < deadline
        time.sleep(0.05)
    growing = sorted(set(length for length in lengths if length > 0))
    assert len(growing) >= 5, f"the reply did not grow over several DOM updates: {growing}"
    final = page.execute_script(REPLY_LENGTH)
    assert final >= growing[-1] > 0
    stats = page.find_element(By.CSS_SELECTOR, "article.assistant .stats").text
    assert "tokens/s" in stats and "first token" in stats, stats

    # Reloaded, the conversation is still there, listed under the message's first words.
    page.refresh()
    wait_for(page, "return document.querySelectorAll('article.assistant').length === 1")
    titles = [node.text for node in page.find_elements(By.CSS_SELECTOR, "#conversations .open")]
    assert titles == ["Write a short poem about a fireplace."]
    assert page.execute_script(REPLY_LENGTH) == final


def test_stop_ends_the_generation_on_the_server(server, page) -> None:
    open_with_key(page, server, {"maxTokens": "1500"})
    send(page, "Write a very long story about a lighthouse keeper, with many chapters.")
    wait_for(page, REPLY_LENGTH.replace("return b ?", "return b && b.textContent.length > 40 ?"))
    assert busy_slots(server) >= 1
    page.find_element(By.ID, "prompt").send_keys(Keys.ESCAPE)
    wait_for(page, IDLE, seconds=10)
    assert "stopped" in page.find_element(By.CSS_SELECTOR, "article.assistant .stats").text
    deadline = time.monotonic() + 5
    while busy_slots(server) != 0:
        assert time.monotonic() < deadline, "the server kept generating after the page stopped"
        time.sleep(0.1)
    # The stopped reply can be continued: more text streams onto it.
    stopped = page.execute_script(REPLY_LENGTH)
    page.find_element(By.CSS_SELECTOR, "button[data-action='continue']").click()
    wait_for(page, f"const b = [...document.querySelectorAll('article.assistant .body')].pop(); return b.textContent.length > {stopped}")
    page.find_element(By.ID, "stop").click()
    wait_for(page, IDLE, seconds=10)


def test_markdown_code_and_tables_render_and_model_text_is_never_markup(server, page) -> None:
    open_with_key(page, server, {"temperature": "0", "maxTokens": "200"})
    send(page, TABLE_AND_CODE)
    wait_for(page, IDLE, seconds=120)
    rows = page.find_elements(By.CSS_SELECTOR, "article.assistant .body table tbody tr")
    assert len(rows) == 2 and "Apple" in rows[0].text, page.find_element(By.CSS_SELECTOR, "article.assistant .body").text
    code = page.find_element(By.CSS_SELECTOR, "article.assistant .body pre code")
    assert 'print("Hello, world!")' in code.text
    assert page.find_elements(By.CSS_SELECTOR, "article.assistant .body pre code .tok-str")
    assert page.find_element(By.CSS_SELECTOR, "article.assistant .body pre .copy").get_attribute("aria-label") == "Copy the code"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.save_screenshot(str(SHOTS / "chat-page.png"))

    # Text that looks like HTML stays text: an imported reply full of it creates no element.
    hostile = "<img src=x onerror=\"document.title='pwned'\"> <script>document.title='pwned'</script> " \
              "[link](javascript:alert(1)) **bold** `<b>code</b>`"
    conversation = {"id": "hostile", "title": "Hostile", "created": 1, "updated": 9e15,
                    "messages": [{"role": "user", "content": "<b>hi</b>"}, {"role": "assistant", "content": hostile}]}
    page.execute_script("localStorage.setItem('hearth.conversations', JSON.stringify(arguments[0]))", [conversation])
    page.refresh()
    wait_for(page, "return document.querySelectorAll('article.assistant').length === 1")
    body = page.find_element(By.CSS_SELECTOR, "article.assistant .body")
    assert not body.find_elements(By.CSS_SELECTOR, "img, script, b, a")
    assert body.find_element(By.CSS_SELECTOR, "strong").text == "bold"
    assert "<script>" in body.text and page.title == "Hearth"
    assert page.find_element(By.CSS_SELECTOR, "article.user .body").text == "<b>hi</b>"


def test_switching_models_loads_the_other_model(server, page) -> None:
    open_with_key(page, server, {"maxTokens": "8"})
    Select(page.find_element(By.ID, "model")).select_by_visible_text(GEMMA)
    send(page, "Say hello.")
    wait_for(page, IDLE, seconds=120)
    assert not page.find_elements(By.CSS_SELECTOR, "article.assistant .error")
    running = requests.get(server + "/api/ps", headers={"Authorization": f"Bearer {KEY}"}, timeout=10).json()
    assert GEMMA in [model["model"].split(":")[0] for model in running["models"]]
    # The choice is remembered.
    page.refresh()
    wait_for(page, "return document.getElementById('model').options.length > 0")
    assert Select(page.find_element(By.ID, "model")).first_selected_option.text == GEMMA


def test_conversations_rename_search_delete_export_and_import(server, page, tmp_path: Path) -> None:
    open_with_key(page, server)
    conversations = [{"id": f"c{n}", "title": title, "created": n, "updated": n,
                      "messages": [{"role": "user", "content": f"about {title}"}, {"role": "assistant", "content": "ok"}]}
                     for n, title in enumerate(["Apples", "Boats", "Clouds"])]
    exported = tmp_path / "import.json"
    exported.write_text(json.dumps({"conversations": conversations}))
    page.find_element(By.ID, "import-file").send_keys(str(exported))
    wait_for(page, "return document.querySelectorAll('#conversations li').length === 3")
    assert "Imported 3 conversations." in page.find_element(By.ID, "status").text

    search = page.find_element(By.ID, "search")
    search.send_keys("boat")
    assert [n.text for n in page.find_elements(By.CSS_SELECTOR, "#conversations .open")] == ["Boats"]
    search.send_keys(Keys.CONTROL, "a")
    search.send_keys(Keys.DELETE)
    wait_for(page, "return document.querySelectorAll('#conversations li').length === 3")

    page.find_element(By.CSS_SELECTOR, "#conversations li[data-id='c0'] button[data-action='rename']").click()
    field = page.switch_to.active_element
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("Orchards", Keys.ENTER)
    page.find_element(By.CSS_SELECTOR, "#conversations li[data-id='c1'] button[data-action='delete']").click()
    stored = page.execute_script("return JSON.parse(localStorage.getItem('hearth.conversations'))")
    assert sorted(c["title"] for c in stored) == ["Clouds", "Orchards"]


def test_accessibility_small_screens_and_dark_theme(server) -> None:
    axe = (Path(__import__("axe_core_python").__file__).parent / "axe.min.js").read_text()
    for width, height, dark, name in ((1200, 800, False, "desktop"), (390, 844, False, "phone"), (1200, 800, True, "dark")):
        driver = browser(width, height, dark)
        try:
            open_with_key(driver, server)
            conversation = {"id": "a11y", "title": "A table and some code", "created": 1, "updated": 9e15, "messages": [
                {"role": "user", "content": TABLE_AND_CODE},
                {"role": "assistant", "content": "| Fruit | Color |\n|---|---|\n| Apple | Red |\n| Banana | Yellow |\n\n"
                                                 "```python\nprint(\"Hello, world!\")  # greet\n```\n\nDone, **as asked**.",
                 "reasoning": "A table first, then the code.",
                 "toolCalls": [{"name": "lookup_colors", "arguments": "{\"fruits\": [\"apple\"]}"}]}]}
            driver.execute_script("localStorage.setItem('hearth.conversations', JSON.stringify(arguments[0]))", [conversation])
            driver.refresh()
            wait_for(driver, "return document.querySelectorAll('article.assistant table').length === 1")
            # Reasoning and tool calls in their own collapsible blocks.
            assert driver.find_element(By.CSS_SELECTOR, "details.reasoning summary").text == "Reasoning"
            assert "lookup_colors(" in driver.find_element(By.CSS_SELECTOR, "details.tool-calls pre").get_attribute("textContent")
            driver.execute_script(axe)
            result = driver.execute_async_script("const done = arguments[0]; axe.run(document).then(done)")
            violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
            assert not violations, f"{name}: {violations}"
            # Nothing wider than the window (a phone scrolls vertically only).
            assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), name
            SHOTS.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(SHOTS / f"chat-page-{name}.png"))
            if name == "phone":
                driver.find_element(By.ID, "open-sidebar").click()
                time.sleep(0.3)
                driver.save_screenshot(str(SHOTS / "chat-page-phone-sidebar.png"))
        finally:
            driver.quit()


def test_a_reply_is_read_aloud_and_stopped(server, page) -> None:
    open_with_key(page, server)
    conversation = {"id": "speak", "title": "Speech", "created": 1, "updated": 9e15, "messages": [
        {"role": "user", "content": "Say something."},
        {"role": "assistant", "content": "Hello there. This reply is **read aloud** by the server."}]}
    page.execute_script("localStorage.setItem('hearth.conversations', JSON.stringify(arguments[0]))", [conversation])
    page.refresh()
    wait_for(page, "return document.querySelectorAll('article.assistant').length === 1")
    speak = page.find_element(By.CSS_SELECTOR, "article.assistant button[data-action='speak']")
    speak.click()
    # The server's MP3, played from a blob: URL (the page's policy allows exactly that).
    wait_for(page, "const v = document.getElementById('voice'); return v.currentSrc.startsWith('blob:') && v.duration > 2")
    assert wait_for(page, "return document.querySelector(\"button[data-action='speak']\").textContent") in ("Stop speaking", "Speak")
    if speak.text == "Stop speaking":
        speak.click()
        assert page.execute_script("return document.getElementById('voice').paused")
        assert speak.text == "Speak"


def test_dictation_transcribes_into_the_message_box(server) -> None:
    recording = ROOT / ".deps" / "whisper" / "samples" / "jfk.wav"
    driver = browser(arguments=("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                                f"--use-file-for-fake-audio-capture={recording}"))
    try:
        open_with_key(driver, server)
        record = driver.find_element(By.ID, "record")
        assert record.is_displayed()
        record.click()
        wait_for(driver, "return document.getElementById('record').getAttribute('aria-pressed') === 'true'")
        time.sleep(6)  # Chromium plays jfk.wav into the fake microphone from its start
        record.click()
        text = wait_for(driver, "return document.getElementById('prompt').value", seconds=120)
        heard = set(text.lower().replace(",", " ").replace(".", " ").split())
        assert len(heard & {"and", "so", "my", "fellow", "americans", "ask", "not", "what", "your", "country"}) >= 3, text
        assert driver.execute_script("return document.getElementById('record').getAttribute('aria-pressed')") == "false"
    finally:
        # (As in `page`: the 401 of the first visit is expected.)
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE" and "status of 401" not in entry["message"]]
        driver.quit()
    assert not errors, errors


def test_page_weight_headers_and_first_paint(server) -> None:
    index = requests.get(server + "/", timeout=10)
    assert index.status_code == 200
    policy = index.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy
    assert index.headers["X-Content-Type-Options"] == "nosniff"
    revalidated = requests.get(server + "/", headers={"If-None-Match": index.headers["ETag"]}, timeout=10)
    assert revalidated.status_code == 304 and not revalidated.content
    assert requests.get(server + "/ui/nothing.js", timeout=10).status_code == 404
    files = [path.name for path in (ROOT / "ui").iterdir()]
    weight = sum(len(requests.get(server + ("/" if name == "index.html" else f"/ui/{name}"), timeout=10).content) for name in files)
    assert weight <= 150_000, weight
    driver = browser()
    try:
        driver.get(server + "/")
        paint = wait_for(driver, "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p && p.startTime")
        # Re-rendering a streamed reply of 4 KB (what each animation frame does at the end of a long
        # answer) must fit well inside a 60 Hz frame.
        render_ms = driver.execute_async_script("""
            const done = arguments[0];
            import('/ui/markdown.js').then(({ renderMarkdown }) => {
              const text = ('## Part\\n\\nSome *text* with `code` and a [link](https://example.com).\\n\\n' +
                '| a | b |\\n|---|---|\\n| 1 | 2 |\\n\\n```python\\ndef f(x):\\n    return x + 1  # one\\n```\\n\\n- item\\n- item\\n\\n').repeat(20).slice(0, 4096);
              const start = performance.now();
              for (let i = 0; i < 50; i++) document.body.appendChild(document.createElement('div')).replaceChildren(renderMarkdown(text));
              done((performance.now() - start) / 50);
            });""")
        assert render_ms < 16, render_ms
        print(f"\nchat page: {weight} bytes in {len(files)} files, first contentful paint {paint:.0f} ms, "
              f"a 4 KB reply renders in {render_ms:.2f} ms")
    finally:
        driver.quit()
