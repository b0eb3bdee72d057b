"""MLLP framing: start/end blocks, noise between frames, size limit, truncated peers."""

from __future__ import annotations

import asyncio

import pytest

from finalmile.connectors.mllp.framing import FrameTooLargeError, frame, read_frame


def _reader(data: bytes, limit: int = 64 * 1024) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=limit)
    reader.feed_data(data)
    reader.feed_eof()
    return reader


async def _frames(data: bytes, max_bytes: int = 1024) -> list[bytes]:
    reader = _reader(data)
    frames = []
    while (message := await read_frame(reader, max_bytes=max_bytes)) is not None:
        frames.append(message)
    return frames


def test_frame_wraps_message_in_start_and_end_blocks() -> None:
    assert frame(b"MSH|x") == b"\x0bMSH|x\x1c\r"


def test_reads_consecutive_frames_and_skips_noise_between_them() -> None:
    data = b"\r\n" + frame(b"MSH|1") + b"junk\r" + frame(b"MSH|2\rPID|") + b"\n"
    assert asyncio.run(_frames(data)) == [b"MSH|1", b"MSH|2\rPID|"]


def test_a_lone_fs_inside_a_frame_does_not_end_it() -> None:
    assert asyncio.run(_frames(frame(b"A\x1cB"))) == [b"A\x1cB"]


def test_oversized_frame_is_reported_with_its_head_and_the_next_frame_still_reads() -> None:
    big = b"MSH|^~\\&|S|F|R|F|||RDE^O11|BIG1|P|2.5.1\r" + b"X" * 5000

    async def scenario() -> tuple[FrameTooLargeError, bytes | None]:
        reader = _reader(frame(big) + frame(b"MSH|small"), limit=1002)
        with pytest.raises(FrameTooLargeError) as caught:
            await read_frame(reader, max_bytes=1000)
        return caught.value, await read_frame(reader, max_bytes=1000)

    error, following = asyncio.run(scenario())
    assert error.limit == 1000
    assert error.head.startswith(b"MSH|^~\\&|S|F|R|F|||RDE^O11|BIG1")
    assert following == b"MSH|small"


def test_peer_closing_inside_a_frame_raises_incomplete_read() -> None:
    with pytest.raises(asyncio.IncompleteReadError):
        asyncio.run(_frames(b"\x0bMSH|half"))


def test_clean_end_of_stream_gives_none() -> None:
    assert asyncio.run(_frames(b"")) == []
