"""In Debian's Chromium, against the real audio endpoint: the call player plays, a pinned
moment seeks the player, an appeal cites a moment that the panel member then sees beside the
evaluator's marks, and a featured great call starts at its highlighted moment — all under the
strict Content-Security-Policy, without a single violation."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from qa import services
from qa.moments.services import moment_pin
from tests.conftest import browser_login
from tests.qa.conftest import answers_for
from tests.recordings.conftest import pbx_http, spool_path  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser]
SECONDS = 20
AUDIO = "document.querySelector('[data-player-audio]')"
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@pytest.fixture
def long_recordings(world, tmp_path):
    """20-second stereo recordings of ann's and bob's calls in a FreePBX-style spool."""
    from metrics.recordings import demo
    from metrics.recordings import services as recording_services
    from metrics.recordings.models import StoreKind

    spool = tmp_path / "monitor"
    store = recording_services.recording_store_set(
        source=world.source, actor=None, kind=StoreKind.DIRECTORY, directory=str(spool)
    )
    for n, call in enumerate((world.ann_call, world.bob_call)):
        demo.wav_write(spool_path(spool, call), demo.conversation(seconds=SECONDS, seed=n))
    offered = [world.ann_call.offered_at, world.bob_call.offered_at]
    linked = recording_services.recordings_link(
        store=store, since=min(offered), until=max(offered) + timedelta(seconds=1)
    )
    assert linked == 2
    return SimpleNamespace(store=store)


def watched(page):
    page.add_init_script(WATCH)
    return page


def as_user(page, live, username):
    page.context.clear_cookies()
    browser_login(page, live.url, username)


def now(page) -> float:
    return page.evaluate(f"{AUDIO}.currentTime")


def wait_near(page, seconds: float) -> None:
    page.wait_for_function(f"() => Math.abs({AUDIO}.currentTime - {seconds}) < 0.25")


def ready(page) -> None:
    expect(page.get_by_test_id("player-toggle")).to_be_enabled(timeout=20_000)


def test_the_player_plays_and_a_pinned_moment_seeks_there(
    live_asgi, cast, world, long_recordings, page
):
    draft = services.evaluation_create(
        evaluator=cast.quinn,
        agent=cast.ann_agent,
        call=world.ann_call,
        scorecard_version=world.version,
    )
    services.evaluation_set_answers(
        evaluation=draft, actor=cast.quinn, answers=answers_for(world, greeting=0)
    )
    comment = moment_pin(evaluation=draft, actor=cast.quinn, at_ms=9_000, note="Long silence")
    moment_pin(
        evaluation=draft, actor=cast.quinn, at_ms=4_000, criterion_id=world.crit["greeting"].pk
    )
    watched(page)
    as_user(page, live_asgi, "quinn")
    page.goto(f"{live_asgi.url}/qa/evaluations/{draft.pk}/")
    ready(page)

    # Both sides of the stereo call are drawn; play moves the time on.
    expect(page.locator("[data-player-channels]")).to_be_visible()
    assert now(page) == 0
    page.get_by_test_id("player-toggle").click()
    page.wait_for_function(f"() => {AUDIO}.currentTime > 0.5")
    expect(page.get_by_test_id("player-toggle")).to_have_text("Pause")
    page.get_by_test_id("player-toggle").click()
    assert page.evaluate(f"{AUDIO}.paused")

    # The pinned comment seeks the player to its moment; ±5 s and the keys move from there.
    page.get_by_test_id(f"moment-{comment.pk}").click()
    wait_near(page, 9)
    expect(page.get_by_test_id("player-time")).to_have_text("0:09 / 0:20")
    page.get_by_test_id("player-forward").click()
    wait_near(page, 14)
    page.get_by_test_id("player").focus()
    page.keyboard.press("ArrowLeft")
    wait_near(page, 9)
    page.keyboard.press(">")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.25
    page.get_by_test_id("player-speed").select_option("2")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 2

    # The pin form follows the player: pinning now puts a deduction at 0:09.
    expect(page.get_by_test_id("pin-at")).to_have_value("0:09")
    page.get_by_test_id("pin-criterion").select_option(str(world.crit["empathy"].pk))
    page.get_by_test_id("pin-note").fill("Sighs at the caller")
    page.get_by_test_id("pin").click()
    expect(page.locator(".messages")).to_contain_text("Moment pinned")
    marks = page.get_by_test_id("evaluator-moments")
    expect(marks.locator("li")).to_have_count(3)
    expect(marks.locator("li").nth(2)).to_contain_text("0:09 Empathy — Sighs at the caller")
    assert draft.moments.filter(at_ms=9_000, criterion=world.crit["empathy"]).exists()
    assert page.evaluate("window.__violations") == []


def test_an_appeal_cites_a_moment_and_the_panel_member_hears_it_beside_the_evaluators(
    live_asgi, cast, world, long_recordings, page
):
    greeting = world.crit["greeting"]
    evaluation = services.evaluation_create(
        evaluator=world.quincy,
        agent=cast.ann_agent,
        call=world.ann_call,
        scorecard_version=world.version,
    )
    services.evaluation_set_answers(
        evaluation=evaluation, actor=world.quincy, answers=answers_for(world, greeting=0)
    )
    mark = moment_pin(
        evaluation=evaluation, actor=world.quincy, at_ms=4_000, criterion_id=greeting.pk
    )
    services.evaluation_release(evaluation=evaluation, actor=world.quincy)
    watched(page)

    # Ann listens from the evaluator's mark on, and cites the moment where she greeted.
    as_user(page, live_asgi, "ann")
    page.goto(f"{live_asgi.url}/qa/evaluations/{evaluation.pk}/")
    ready(page)
    page.get_by_test_id(f"moment-{mark.pk}").click()
    wait_near(page, 4)
    page.get_by_test_id("player-forward").click()
    wait_near(page, 9)
    page.get_by_test_id(f"appeal-check-{greeting.pk}").check()
    page.get_by_test_id(f"appeal-reason-{greeting.pk}").fill("I gave the company name.")
    page.get_by_test_id(f"appeal-cite-{greeting.pk}").click()
    expect(page.get_by_test_id(f"appeal-moments-{greeting.pk}")).to_have_value("0:09")
    page.get_by_test_id("file-appeal").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("Waiting for the team lead")
    appeal_url = page.url
    appeal = evaluation.appeals.get()
    services.appeal_screen(appeal=appeal, actor=cast.tina, accept=True)
    member = appeal.panel.get(seat="qa_analyst").user
    assert member == cast.quinn  # the panel's analyst never the evaluator

    # Quinn, on the panel, hears the call with both sides' marks and jumps to Ann's.
    as_user(page, live_asgi, member.get_username())
    page.goto(appeal_url)
    ready(page)
    expect(page.get_by_test_id("evaluator-moments")).to_contain_text("0:04 Greeting")
    agent_marks = page.get_by_test_id("agent-moments")
    expect(agent_marks).to_contain_text("0:09 Greeting")
    agent_marks.get_by_role("button", name="0:09").click()
    wait_near(page, 9)
    page.get_by_test_id("player-toggle").click()
    page.wait_for_function(f"() => {AUDIO}.currentTime > 9.4")
    assert page.evaluate("window.__violations") == []


def test_a_featured_great_call_starts_at_its_highlighted_moment(
    live_asgi, cast, world, long_recordings, page
):
    nomination = services.great_call_nominate(
        user=cast.bob,
        call=world.ann_call,
        reason="Calmed an angry caller",
        highlight={"at_ms": 12_000, "note": "the turn"},
    )
    services.great_call_feature(nomination=nomination, actor=cast.sam)
    watched(page)

    as_user(page, live_asgi, "bob")  # a peer: the library is for everyone
    page.goto(f"{live_asgi.url}/qa/library/")
    ready(page)
    wait_near(page, 12)
    expect(page.get_by_test_id("highlight-moments")).to_contain_text("0:12 Highlight — the turn")
    page.get_by_test_id("player-toggle").click()
    page.wait_for_function(f"() => {AUDIO}.currentTime > 12.4")
    assert page.evaluate("window.__violations") == []


def test_opening_the_page_draws_the_waveform_and_fetches_nothing_of_the_call(
    live_asgi, cast, world, long_recordings, page
):
    from metrics.recordings.models import RecordingListen

    evaluation = services.evaluation_create(
        evaluator=cast.quinn,
        agent=cast.ann_agent,
        call=world.ann_call,
        scorecard_version=world.version,
    )
    audio_url = f"/recordings/calls/{world.ann_call.pk}/audio"
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    watched(page)
    as_user(page, live_asgi, "quinn")
    page.goto(f"{live_asgi.url}/qa/evaluations/{evaluation.pk}/")
    ready(page)

    # The waveform of both sides is drawn from the peaks, over the call's whole length.
    expect(page.locator("[data-player-channels]")).to_be_visible()
    expect(page.get_by_test_id("player-time")).to_have_text("0:00 / 0:20")
    drawn = page.evaluate(
        """() => {
          const host = document.querySelector('[data-player-wave] > div');
          return [...host.shadowRoot.querySelectorAll('canvas')].some((canvas) => {
            if (!canvas.width || !canvas.height) return false;
            const pixels = canvas.getContext('2d')
              .getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;
            return false;
          });
        }"""
    )
    assert drawn
    page.wait_for_timeout(1000)
    assert [url for url in asked if audio_url in url] == []
    assert any(f"/recordings/calls/{world.ann_call.pk}/peaks" in url for url in asked)
    assert not RecordingListen.objects.exists()

    page.get_by_test_id("player-toggle").click()
    page.wait_for_function(f"() => {AUDIO}.currentTime > 0.5")
    assert [url for url in asked if audio_url in url]
    listens = list(RecordingListen.objects.values_list("user__username", "call_id"))
    assert listens == [("quinn", world.ann_call.pk)]
    assert page.evaluate("window.__violations") == []


def test_without_peaks_the_waveform_is_drawn_on_first_play(
    live_asgi,
    cast,
    world,
    long_recordings,
    pbx_http,  # noqa: F811  (the fixture imported above)
    page,
):
    """A store behind an address gives no peaks: nothing is fetched on opening the page, and
    the first play loads the call and draws its waveform."""
    from pathlib import Path

    from metrics.recordings import services as recording_services
    from metrics.recordings.models import Recording, RecordingListen, StoreKind

    wav = spool_path(Path(long_recordings.store.directory), world.ann_call)
    pbx_http.files["ann-1001.wav"] = wav.read_bytes()
    recording_services.recording_store_set(
        source=world.source,
        actor=None,
        kind=StoreKind.URL_TEMPLATE,
        url_template=pbx_http.url + "/recordings/{recording}",
        username="callfloor",
        secret="s3cret",
    )
    Recording.objects.filter(call_id=world.ann_call.call_id).update(location="ann-1001.wav")
    evaluation = services.evaluation_create(
        evaluator=cast.quinn,
        agent=cast.ann_agent,
        call=world.ann_call,
        scorecard_version=world.version,
    )
    watched(page)
    as_user(page, live_asgi, "quinn")
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{live_asgi.url}/qa/evaluations/{evaluation.pk}/")
    ready(page)
    page.wait_for_timeout(1000)
    assert pbx_http.seen == [], [u[-40:] for u in asked if "recordings" in u]
    assert not RecordingListen.objects.exists()

    page.get_by_test_id("player-toggle").click()
    page.wait_for_function(f"() => {AUDIO}.currentTime > 0.5")
    expect(page.locator("[data-player-channels]")).to_be_visible()
    expect(page.get_by_test_id("player-time")).to_contain_text("/ 0:20")
    assert RecordingListen.objects.filter(user__username="quinn").count() == 1
    assert page.evaluate("window.__violations") == []
