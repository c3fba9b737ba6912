"""Agent and structured-output libraries, unmodified, against Hearth: openai's `parse`,
instructor, langchain-openai and the OpenAI Agents SDK (tracing off: it would call OpenAI)."""
from __future__ import annotations

import asyncio
import json
from typing import Literal

import pytest
from openai import AsyncOpenAI, OpenAI
from pydantic import BaseModel, Field


class Movie(BaseModel):
    title: str
    year: int = Field(ge=1900, le=2030)
    genre: Literal["drama", "comedy", "science fiction"]


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return json.dumps({"city": city, "forecast": "sunny", "celsius": 24})


@pytest.fixture
def client(base_url: str) -> OpenAI:
    return OpenAI(base_url=base_url + "/v1", api_key="sk-anything", max_retries=0, timeout=300)


def test_openai_parse_with_a_pydantic_model(client: OpenAI) -> None:
    completion = client.chat.completions.parse(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Name a famous science fiction movie."}],
        response_format=Movie,
        temperature=1,
        max_tokens=120,
    )
    movie = completion.choices[0].message.parsed
    assert isinstance(movie, Movie) and 1900 <= movie.year <= 2030


def test_openai_parse_with_a_strict_function_tool(client: OpenAI) -> None:
    import openai

    completion = client.chat.completions.parse(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Look up a movie: Alien, 1979, science fiction."}],
        tools=[openai.pydantic_function_tool(Movie, name="save_movie")],
        tool_choice="required",
        temperature=0,
        max_tokens=120,
    )
    call = completion.choices[0].message.tool_calls[0]
    assert isinstance(call.function.parsed_arguments, Movie)


# JSON_SCHEMA is instructor's JSON mode that sends the schema (response_format json_schema);
# plain JSON mode sends json_object and puts the schema in the prompt, which Hearth cannot enforce.
@pytest.mark.parametrize("mode", ["TOOLS", "JSON_SCHEMA"])
def test_instructor(client: OpenAI, mode: str) -> None:
    import instructor

    patched = instructor.from_openai(client, mode=getattr(instructor.Mode, mode))
    movie = patched.chat.completions.create(
        model="gpt-4o-mini",
        response_model=Movie,
        messages=[{"role": "user", "content": "Name a famous comedy movie."}],
        max_retries=0,
        temperature=1,
        max_tokens=150,
    )
    assert isinstance(movie, Movie)


def test_langchain_tool_loop_and_structured_output(base_url: str) -> None:
    from langchain_core.messages import HumanMessage, ToolMessage
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI

    @tool
    def weather(city: str) -> str:
        """Get the current weather for a city."""
        return get_weather(city)

    llm = ChatOpenAI(base_url=base_url + "/v1", api_key="sk-anything", model="gpt-4o-mini", temperature=0, max_tokens=120, max_retries=0)
    bound = llm.bind_tools([weather], tool_choice="required")
    messages = [HumanMessage("What is the weather in Madrid?")]
    reply = bound.invoke(messages)
    assert reply.tool_calls and reply.tool_calls[0]["name"] == "weather"
    assert isinstance(reply.tool_calls[0]["args"]["city"], str)
    messages += [reply, ToolMessage(weather.invoke(reply.tool_calls[0]["args"]), tool_call_id=reply.tool_calls[0]["id"])]
    answer = llm.bind_tools([weather], tool_choice="none").invoke(messages)
    assert answer.content and not answer.tool_calls

    movie = llm.with_structured_output(Movie, method="json_schema").invoke("Name a famous drama movie.")
    assert isinstance(movie, Movie)


def run_weather_agent(model, settings) -> None:
    """An Agents SDK agent with a weather tool: the tool is called and its result ends the run
    (a 0.5B model shown the tools again calls again; the test is about the call)."""
    from agents import Agent, Runner, function_tool, set_tracing_disabled

    set_tracing_disabled(True)
    calls: list[str] = []

    @function_tool
    def weather(city: str) -> str:
        """Get the current weather for a city."""
        calls.append(city)
        return get_weather(city)

    agent = Agent(
        name="Weather",
        instructions="Use the weather tool, then answer in one sentence.",
        tools=[weather],
        model=model,
        model_settings=settings,
        tool_use_behavior="stop_on_first_tool",
    )
    result = asyncio.run(Runner.run(agent, "What is the weather in Berlin?", max_turns=3))
    assert calls, "the agent never called the tool"
    assert json.loads(result.final_output)["city"] == calls[0]


def test_openai_agents_sdk_agent_with_a_function_tool(base_url: str) -> None:
    from agents import ModelSettings, OpenAIChatCompletionsModel

    client = AsyncOpenAI(base_url=base_url + "/v1", api_key="sk-anything")
    run_weather_agent(OpenAIChatCompletionsModel(model="gpt-4o-mini", openai_client=client),
                      ModelSettings(temperature=0, max_tokens=120, tool_choice="required"))


def test_openai_agents_sdk_default_responses_model(base_url: str) -> None:
    """The Agents SDK's default model speaks the Responses API: the same agent through it."""
    from agents import ModelSettings, OpenAIResponsesModel

    client = AsyncOpenAI(base_url=base_url + "/v1", api_key="sk-anything")
    run_weather_agent(OpenAIResponsesModel(model="gpt-4o-mini", openai_client=client),
                      ModelSettings(temperature=0, max_tokens=80, parallel_tool_calls=False, tool_choice="required"))
