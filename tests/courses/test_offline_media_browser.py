"""Audio downloaded for offline study plays with no signal: the learner ticks «Video y audio», goes offline, opens
the lesson in a new page and plays the recording from the phone (the course's worker answers the player's range
requests from the download)."""

import io
import math
import struct
import wave

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect
from wagtail.documents.models import Document

from tests.browser_helpers import download_course, later_without_signal, login
from tests.courses.test_offline_browser import course  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def recording(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short mono WAV tone (a testimony's stand-in), made here so nothing is downloaded."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = (int(8000 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(int(seconds * rate)))
        out.writeframes(b"".join(struct.pack("<h", frame) for frame in frames))
    return buffer.getvalue()


def test_downloaded_audio_plays_without_signal(phone_page, live_server, screenshot, course):  # noqa: F811
    from courses.models import LessonPage
    from courses.services import enrollment_create
    from tests.courses.factories import text_block
    from tests.lms.accounts.factories import UserFactory

    audio = Document(title="Testimonio de Yolanda")
    audio.file.save("testimonio-yolanda.wav", ContentFile(recording()), save=False)
    audio.save()
    lesson = LessonPage.objects.get(title="Tus primeros clientes")
    lesson.body = [
        text_block("Escucha cómo empezó Yolanda, emprendedora en Guayaquil."),
        {"type": "audio", "value": {"title": "Testimonio de Yolanda", "file": audio.pk, "duration": "0:02"}},
    ]
    lesson.save_revision().publish()
    learner = UserFactory(first_name="Yolanda", last_name="Macías Intriago", phone="+593987001122", email="")
    enrollment_create(user=learner, course=course)

    page = phone_page
    login(page, live_server, learner)
    download_course(page, course.url, media=True)
    page = later_without_signal(page)
    page.goto(lesson.url)
    expect(page.locator("h1")).to_have_text("Tus primeros clientes")
    player = page.locator("audio")
    expect(player).to_be_visible()
    played = page.evaluate(
        """async () => {
            const audio = document.querySelector("audio");
            audio.muted = true;
            const wait = (ms) => new Promise((done) => setTimeout(done, ms));
            let refused = null;
            await Promise.race([audio.play().catch((e) => { refused = String(e); }), wait(8000)]);
            await wait(700);
            const error = refused || (audio.error && audio.error.code);
            return {time: audio.currentTime, duration: audio.duration, error: error};
        }"""
    )
    assert played["error"] is None
    assert played["time"] > 0.2 and 1.9 < played["duration"] < 2.1, played
    screenshot(page, "offline-audio-plays")
