"""Embeddings and moderations (issue 12) through real clients: the `openai` package (float and
base64), LangChain's OpenAIEmbeddings, Ollama's client, against the reference vectors that
sentence-transformers itself produced (Tests/Fixtures/embeddings, scripts/make_embedding_fixtures.py)."""
from __future__ import annotations

import base64
import json
import subprocess

import numpy as np
import ollama
import openai
import pytest
import requests
from openai import OpenAI

from conftest import ROOT, free_port
from test_lifecycle import BINARY, wait_until_serving

MODELS = ["all-mpnet-base-v2", "all-MiniLM-L6-v2"]


def fixture(name: str) -> dict:
    return json.loads((ROOT / "Tests" / "Fixtures" / "embeddings" / f"{name}.json").read_text())


def reference(entry: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(entry["embedding"]), dtype="<f4")


@pytest.fixture(scope="module")
def client(base_url: str) -> OpenAI:
    return OpenAI(base_url=base_url + "/v1", api_key="unused", max_retries=0)


@pytest.mark.parametrize("name", MODELS)
def test_vectors_match_sentence_transformers_over_http(client: OpenAI, name: str) -> None:
    data = fixture(name)
    corpus = [entry for entry in data["corpus"] if entry["text"].strip()]  # OpenAI refuses empty strings only
    texts = [entry["text"] for entry in corpus]
    batched = client.embeddings.create(model=f"sentence-transformers/{name}", input=texts)
    assert batched.model == name and [item.index for item in batched.data] == list(range(len(texts)))
    assert batched.usage.prompt_tokens == sum(len(entry["token_ids"]) for entry in corpus)
    for entry, item in zip(corpus, batched.data):
        vector = np.array(item.embedding, dtype=np.float32)
        assert len(vector) == data["dimensions"]
        assert float(vector @ reference(entry)) >= 0.9999, entry["text"][:60]
    # base64 (what the openai client asks for by default) decodes to the same vectors.
    answer = requests.post(client.base_url.__str__().rstrip("/") + "/embeddings",
                           json={"model": name, "input": texts[:3], "encoding_format": "base64"}, timeout=60)
    # The server watches the connection for a disconnect while it embeds, and says it closes it.
    assert answer.headers["Connection"] == "close"
    raw = answer.json()
    for item, expected in zip(raw["data"], batched.data[:3]):
        assert np.allclose(np.frombuffer(base64.b64decode(item["embedding"]), dtype="<f4"), expected.embedding, atol=1e-7)


def test_retrieval_finds_what_sentence_transformers_finds(client: OpenAI) -> None:
    for name in MODELS:
        data = fixture(name)["retrieval"]
        documents = np.array([d.embedding for d in client.embeddings.create(model=name, input=data["documents"]).data])
        queries = np.array([d.embedding for d in client.embeddings.create(model=name, input=data["queries"]).data])
        assert [int(np.argmax(documents @ query)) for query in queries] == data["nearest"], name


def test_models_say_their_precision(client: OpenAI) -> None:
    listed = {model.id: model for model in client.models.list().data}
    for name in MODELS:
        assert listed[name].owned_by == "sentence-transformers" and listed[name].precision == "exact"
    assert getattr(listed["qwen2.5-coder-0.5b-instruct-q4_k_m"], "precision", None) is None


def test_fast_precision_keeps_retrieval(tmp_path) -> None:
    """`embedding-precision: fast` in settings.yaml (bfloat16 products): /v1/models says so, every
    reference text stays within cosine 0.999 and every query finds sentence-transformers' document."""
    settings = tmp_path / "settings.yaml"
    settings.write_text("embedding-precision: fast\nctx-size: 1024\n")
    port = free_port()
    process = subprocess.Popen([BINARY, "--settings", str(settings), "--api-port", str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_until_serving(process, url)
        fast = OpenAI(base_url=url + "/v1", api_key="unused", max_retries=0)
        listed = {model.id: model for model in fast.models.list().data}
        for name in MODELS:
            assert listed[name].precision == "fast"
            data = fixture(name)
            corpus = [entry for entry in data["corpus"] if entry["text"].strip()]
            vectors = fast.embeddings.create(model=name, input=[entry["text"] for entry in corpus]).data
            for entry, item in zip(corpus, vectors):
                assert float(np.array(item.embedding, dtype=np.float32) @ reference(entry)) >= 0.999, entry["text"][:60]
            retrieval = data["retrieval"]
            documents = np.array([d.embedding for d in fast.embeddings.create(model=name, input=retrieval["documents"]).data])
            queries = np.array([d.embedding for d in fast.embeddings.create(model=name, input=retrieval["queries"]).data])
            assert [int(np.argmax(documents @ query)) for query in queries] == retrieval["nearest"], name
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_langchain_openai_embeddings(base_url: str) -> None:
    from langchain_openai import OpenAIEmbeddings

    # check_embedding_ctx_length=False: otherwise LangChain tokenizes with OpenAI's tiktoken and
    # sends token ids of OpenAI's vocabulary, which mean nothing to these models.
    embeddings = OpenAIEmbeddings(model="all-MiniLM-L6-v2", base_url=base_url + "/v1", api_key="unused",
                                  check_embedding_ctx_length=False)
    documents = embeddings.embed_documents(["The cat sat on the mat.", "Stocks fell on Monday."])
    query = embeddings.embed_query("Where did the cat sit?")
    assert len(documents) == 2 and len(query) == 384
    assert np.dot(query, documents[0]) > np.dot(query, documents[1])


def test_token_inputs_dimensions_and_bad_requests(client: OpenAI) -> None:
    ids = fixture("all-MiniLM-L6-v2")["corpus"][1]["token_ids"]
    # Token ids of the model's own vocabulary, without its start and end tokens (added here).
    from_ids = client.embeddings.create(model="all-MiniLM-L6-v2", input=[ids[1:-1]]).data[0].embedding
    from_text = client.embeddings.create(model="all-MiniLM-L6-v2", input="The quick brown fox jumps over the lazy dog.").data[0].embedding
    assert np.allclose(from_ids, from_text, atol=1e-6)
    assert len(client.embeddings.create(model="all-mpnet-base-v2", input="x", dimensions=768).data[0].embedding) == 768
    for body, param in [({"input": "x", "dimensions": 256}, "dimensions"), ({"input": ["a", ""]}, "input[1]"),
                        ({"input": [[1, 2], [999999]]}, "input[1][0]"), ({"input": ["a"] * 2049}, "input"), ({}, "input")]:
        with pytest.raises(openai.BadRequestError) as raised:
            client.embeddings.create(model="all-mpnet-base-v2", **body) if "input" in body else \
                client.post("/embeddings", body=body, cast_to=object)
        assert raised.value.body["param"] == param, body
    # The server goes on serving.
    assert client.embeddings.create(model="all-MiniLM-L6-v2", input="still here").data


def test_a_refusal_after_the_vectors_keeps_a_keep_alive_client_answered(base_url: str) -> None:
    # `dimensions` is checked once the vectors exist, after disconnect detection read the
    # connection's inbound side: the refusal must close the connection, or the next request
    # sent on it is dropped unanswered (it was, about one time in three).
    with requests.Session() as session:
        for _ in range(12):
            refused = session.post(base_url + "/v1/embeddings", json={"model": "all-mpnet-base-v2", "input": "x", "dimensions": 256})
            assert refused.status_code == 400 and refused.json()["error"]["param"] == "dimensions"
            assert session.post(base_url + "/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": "y"}).status_code == 200


def test_moderations_and_the_model_list(client: OpenAI, base_url: str) -> None:
    result = client.moderations.create(input=["I will kill you", "Have a lovely day"])
    assert result.model == "text-moderation-001" and len(result.results) == 2
    threatening, kind = result.results
    assert threatening.category_scores.violence > kind.category_scores.violence
    listed = {model.id: model.owned_by for model in client.models.list()}
    assert listed["all-mpnet-base-v2"] == listed["all-MiniLM-L6-v2"] == "sentence-transformers"
    assert client.models.retrieve("sentence-transformers/all-MiniLM-L6-v2").id == "all-MiniLM-L6-v2"


def test_ollama_embed(base_url: str) -> None:
    client = ollama.Client(host=base_url)
    reply = client.embed(model="all-minilm", input=["The cat sat on the mat.", "Hello, world!"])
    assert len(reply.embeddings) == 2 and len(reply.embeddings[0]) == 384
    data = fixture("all-MiniLM-L6-v2")
    hello = next(entry for entry in data["corpus"] if entry["text"] == "Hello, world!")
    assert float(np.dot(reply.embeddings[1], reference(hello))) >= 0.9999
    legacy = client.embeddings(model="all-minilm", prompt="Hello, world!")
    assert np.allclose(legacy.embedding, reply.embeddings[1], atol=1e-6)
    long = "word " * 1000
    with pytest.raises(ollama.ResponseError):
        client.embed(model="all-minilm", input=long, truncate=False)
    assert len(client.embed(model="all-minilm", input=long).embeddings[0]) == 384


def test_a_stream_runs_while_a_large_embedding_request_does(client: OpenAI) -> None:
    """Embedding passes take turns with the decode loop: a chat stream started while a large
    batch is being embedded starts and finishes before it, and both replies are whole."""
    import threading
    import time

    texts = [f"Paragraph {i}: " + "the river runs past the old mill and the library by the market " * 12 for i in range(16)]
    done: dict[str, object] = {}

    def embed() -> None:
        reply = client.embeddings.create(model="all-mpnet-base-v2", input=texts)
        done["vectors"] = [item.embedding for item in reply.data]
        done["at"] = time.monotonic()

    worker = threading.Thread(target=embed)
    worker.start()
    time.sleep(0.5)  # the embedding request is in its passes
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Count from one to ten."}], max_tokens=12, stream=True
    )
    first_token_at = None
    finish = None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content and first_token_at is None:
            first_token_at = time.monotonic()
        if chunk.choices and chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
    stream_done_at = time.monotonic()
    worker.join(timeout=300)
    assert finish in ("stop", "length") and first_token_at is not None
    assert "at" in done, "the embedding request did not finish"
    assert first_token_at < stream_done_at <= done["at"], "the stream waited for the embeddings"
    vectors = np.array(done["vectors"])
    assert vectors.shape == (16, 768) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
