"""Drive hermes's API server with the official `openai` SDK (run by tests/api/sdk.rs).

    openai-client.sh run sdk_probe.py MODE BASE_URL API_KEY MODEL

MODE `main`: chat non-stream, stream with include_usage, models.list, responses with
previous_response_id, and a wrong key raising AuthenticationError. MODE `ratelimit`: the
server's run cap is full, so a chat call must raise RateLimitError (429).
Prints one `ok ...` line per check; exits non-zero on the first failure.
"""
import sys

import openai
from openai import OpenAI


def main_checks(base_url: str, key: str, model: str) -> None:
    client = OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=30)
    messages = [{"role": "user", "content": "hello"}]

    raw = client.chat.completions.with_raw_response.create(model=model, messages=messages)
    session = raw.headers.get("x-hermes-session-id")
    r = raw.parse()
    assert r.choices[0].message.role == "assistant", r
    assert r.choices[0].message.content == "you said: hello", r
    assert r.choices[0].finish_reason == "stop", r
    assert r.usage.prompt_tokens == 12 and r.usage.completion_tokens == 5, r.usage
    assert session and session.startswith("api-"), session
    print(f"ok non-stream: {r.choices[0].message.content!r} session={session}")

    text, usage, chunks, finish = "", None, 0, None
    stream = client.chat.completions.create(
        model=model, messages=messages, stream=True, stream_options={"include_usage": True}
    )
    for chunk in stream:
        chunks += 1
        if chunk.choices:
            if chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage:
            assert chunk.choices == [], "usage must come in a final chunk with no choices"
            usage = chunk.usage
    assert text == "you said: hello", text
    assert finish == "stop", finish
    assert usage is not None and usage.total_tokens == 17, usage
    print(f"ok stream: {chunks} chunks, text={text!r}, usage={usage.total_tokens}")

    ids = [m.id for m in client.models.list()]
    assert ids == [model], ids
    print(f"ok models: {ids}")

    first = client.responses.create(model=model, input="remember 7")
    assert first.status == "completed", first
    assert first.output_text == "you said: remember 7", first.output_text
    second = client.responses.create(model=model, input="and?", previous_response_id=first.id)
    assert second.output_text == "you said: and?", second.output_text
    again = client.responses.retrieve(first.id)
    assert again.id == first.id and again.output_text == first.output_text
    print(f"ok responses: {first.id} -> {second.id}")

    events = [e.type for e in client.responses.create(model=model, input="stream me", stream=True)]
    assert events[0] == "response.created" and events[-1] == "response.completed", events
    print(f"ok responses stream: {len(events)} events")

    bad = OpenAI(base_url=base_url, api_key=key + "-wrong", max_retries=0, timeout=30)
    try:
        bad.chat.completions.create(model=model, messages=messages)
    except openai.AuthenticationError as e:
        assert e.status_code == 401
        assert e.code == "invalid_api_key", e.code
        print("ok wrong key: 401 AuthenticationError")
    else:
        sys.exit("FAIL: a wrong API key was accepted")


def ratelimit_check(base_url: str, key: str, model: str) -> None:
    client = OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=30)
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "x"}])
    except openai.RateLimitError as e:
        assert e.status_code == 429
        assert "Too many concurrent runs" in str(e), str(e)
        print("ok rate limit: 429 RateLimitError")
    else:
        sys.exit("FAIL: the run cap was not enforced")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit("usage: sdk_probe.py main|ratelimit BASE_URL API_KEY MODEL")
    mode, base_url, key, model = sys.argv[1:]
    {"main": main_checks, "ratelimit": ratelimit_check}[mode](base_url, key, model)
