"""The AMI client against the scripted server: login, ActionID correlation, lists, errors."""

from __future__ import annotations

import asyncio

import pytest

from metrics.telephony.ami.protocol import (
    AmiActionError,
    AmiClient,
    AmiError,
    AmiLoginRefused,
    action_encode,
    message_parse,
)
from tests.ami.server import transcript


async def logged_in(server, **kwargs) -> AmiClient:
    client = AmiClient(**kwargs)
    await client.connect(host=server.host, port=server.port)
    await client.login(username=server.username, secret=server.secret)
    return client


async def test_it_reads_the_banner_and_logs_in(ami_server):
    client = AmiClient()
    version = await client.connect(host=ami_server.host, port=ami_server.port)
    await client.login(username="callfloor", secret=ami_server.secret)
    assert version == "9.0.0"
    login = ami_server.actions_named("Login")[0]
    assert login["Username"] == "callfloor"
    assert login["Events"] == "call,agent"
    assert login["ActionID"].startswith("cf-")
    await client.logoff()
    assert client.closed.is_set()
    ami_server.wait_for_action("Logoff")


async def test_a_wrong_secret_is_refused_with_asterisks_message(ami_server):
    client = AmiClient()
    await client.connect(host=ami_server.host, port=ami_server.port)
    with pytest.raises(AmiLoginRefused, match="Authentication failed") as refused:
        await client.login(username="callfloor", secret="wrong")
    assert "wrong" not in str(refused.value)
    assert ami_server.failed_logins == 1
    await client.close()


async def test_a_list_action_returns_its_events_up_to_the_complete_event(ami_server):
    ami_server.script(
        "QueueStatus", message="Queue status will follow", events=transcript("queue_status.txt")
    )
    client = await logged_in(ami_server)
    answer = await client.send("QueueStatus", Queue="support")
    names = [e["Event"] for e in answer.events]
    assert names[0] == "QueueParams"
    assert names[-1] == "QueueStatusComplete"
    assert "QueueMember" in names and "QueueEntry" in names
    sent = ami_server.actions_named("QueueStatus")[0]
    assert sent["Queue"] == "support"
    assert all(e["ActionID"] == sent["ActionID"] for e in answer.events)
    await client.logoff()


async def test_concurrent_actions_get_their_own_answers(ami_server):
    ami_server.script("QueuePause", message="Interface paused successfully")
    ami_server.script(
        "QueueAdd", response="Error", message="Unable to add interface: Already there"
    )
    client = await logged_in(ami_server)
    paused, refused = await asyncio.gather(
        client.send("QueuePause", Interface="PJSIP/201", Paused="true", Reason="Lunch"),
        client.send("QueueAdd", Queue="sales", Interface="PJSIP/202"),
        return_exceptions=True,
    )
    assert paused.message == "Interface paused successfully"
    assert isinstance(refused, AmiActionError)
    assert refused.message == "Unable to add interface: Already there"
    await client.logoff()


async def test_a_one_time_script_answers_once_then_the_lasting_one(ami_server):
    ami_server.script("Originate", message="Originate successfully queued")
    ami_server.script("Originate", response="Error", message="Originate failed", once=True)
    client = await logged_in(ami_server)
    with pytest.raises(AmiActionError, match="Originate failed"):
        await client.send("Originate", Channel="PJSIP/900")
    assert (await client.send("Originate", Channel="PJSIP/900")).response["Response"] == "Success"
    await client.logoff()


async def test_pushed_events_reach_on_event_and_a_drop_closes_the_client(ami_server):
    seen = []
    client = await logged_in(ami_server, on_event=seen.append)
    ami_server.push({"Event": "Hold", "Channel": "PJSIP/201-00000001", "Uniqueid": "1700.1"})
    await asyncio.wait_for(_until(lambda: any(e.get("Event") == "Hold" for e in seen)), 5)
    ami_server.script_with("Ping", lambda action: None)
    pending = asyncio.create_task(client.send("Ping", timeout=5))
    await asyncio.to_thread(ami_server.wait_for_action, "Ping")
    ami_server.drop()
    await asyncio.wait_for(client.closed.wait(), 5)
    with pytest.raises(AmiError):
        await pending
    with pytest.raises(AmiError):
        await client.send("Ping")


async def test_a_port_that_is_not_ami_is_refused(unused_tcp_port):
    async def not_ami(reader, writer):
        writer.write(b"SSH-2.0-OpenSSH_9.2\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(not_ami, "127.0.0.1", unused_tcp_port)
    try:
        with pytest.raises(AmiError, match="not an Asterisk manager port"):
            await AmiClient().connect(host="127.0.0.1", port=unused_tcp_port)
    finally:
        server.close()


async def test_nothing_listening_is_a_clear_error(unused_tcp_port):
    with pytest.raises(AmiError, match="cannot connect"):
        await AmiClient().connect(host="127.0.0.1", port=unused_tcp_port, timeout=2)


def test_a_line_break_in_a_value_cannot_start_another_action():
    with pytest.raises(ValueError):
        action_encode("QueuePause", {"Reason": "Lunch\r\nAction: Originate"})
    data = action_encode("QueuePause", {"Interface": "PJSIP/201", "Paused": True})
    assert data == b"Action: QueuePause\r\nInterface: PJSIP/201\r\nPaused: True\r\n\r\n"


def test_a_block_parses_into_its_headers():
    parsed = message_parse("Event: AgentComplete\r\nQueue: support\r\nHoldTime: 4\r\nReason: agent")
    assert parsed == {
        "Event": "AgentComplete",
        "Queue": "support",
        "HoldTime": "4",
        "Reason": "agent",
    }


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0.01)
