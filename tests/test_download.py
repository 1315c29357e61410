"""Tests for the MovieLens downloader against a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.datasets import load_dataset
from core.download import DownloadCancelled, default_data_dir, download_movielens
from core.errors import DataError

N_RATINGS = 6_000  # enough lines that the stored archive spans several 64 KiB chunks


def make_ml100k_zip(corrupt: bool = False) -> bytes:
    """Build a small archive shaped like MovieLens 100K: ml-100k/u.data, u.item and u.genre."""
    ratings = "".join(f"{1 + i % 50}\t{1 + (i * 7) % 40}\t{1 + i % 5}\t{880000000 + i}\n" for i in range(N_RATINGS))
    flags = "|".join(["0"] * 18 + ["1"])
    items = "".join(f"{i}|Movie {i} (1998)|01-Jan-1998||http://example.org/{i}|{flags}\n" for i in range(1, 41))
    genres = "\n".join(
        f"{name}|{index}" for index, name in enumerate(
            ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
             "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
             "Thriller", "War", "Western"])
    ) + "\n"
    buffer = io.BytesIO()
    # ZIP_STORED keeps the archive large enough to need several chunks.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("ml-100k/u.data", ratings)
        archive.writestr("ml-100k/u.item", items)
        archive.writestr("ml-100k/u.genre", genres)
    data = bytearray(buffer.getvalue())
    if corrupt:
        data[len(data) // 3] ^= 0xFF  # flips one byte inside u.data, so its CRC fails
    return bytes(data)


class FakeGroupLens:
    """State of the local server: the files it serves and how it misbehaves."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.truncate_next_zip = False
        self.ignore_range = False
        self.requests: list[tuple[str, str | None]] = []


def make_handler(state: FakeGroupLens):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # keep pytest output clean
            pass

        def do_GET(self):
            range_header = self.headers.get("Range")
            state.requests.append((self.path, range_header))
            body = state.files.get(self.path)
            if body is None:
                self.send_error(404)
                return

            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
            if match and not state.ignore_range:
                start = int(match.group(1))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()

            payload = body[start:]
            if self.path.endswith(".zip") and state.truncate_next_zip:
                state.truncate_next_zip = False
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(payload)

    return Handler


@pytest.fixture
def server():
    state = FakeGroupLens()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def publish(state: FakeGroupLens, archive: bytes, md5_of: bytes | None = None, md5: bool = True) -> None:
    state.files["/ml-100k.zip"] = archive
    if md5:
        digest = hashlib.md5(md5_of if md5_of is not None else archive).hexdigest()
        state.files["/ml-100k.zip.md5"] = f"MD5 (ml-100k.zip) = {digest}\n".encode()


def download(state: FakeGroupLens, dest: Path, **kwargs) -> Path:
    kwargs.setdefault("retries", 2)
    kwargs.setdefault("backoff_seconds", 0.0)
    kwargs.setdefault("timeout_seconds", 10.0)
    return download_movielens("ml-100k", dest, base_url=state.base_url, **kwargs)


def test_good_transfer(server, tmp_path):
    archive = make_ml100k_zip()
    publish(server, archive)
    seen: list[tuple[int, int | None]] = []

    folder = download(server, tmp_path, progress=lambda done, total: seen.append((done, total)))

    assert folder == tmp_path / "ml-100k"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ml-100k"]
    dataset = load_dataset(folder)
    assert len(dataset.interactions) == N_RATINGS
    assert len(dataset.items) == 40
    assert seen[0] == (0, len(archive))
    assert seen[-1] == (len(archive), len(archive))


def test_md5_mismatch_leaves_nothing(server, tmp_path):
    good = make_ml100k_zip()
    publish(server, make_ml100k_zip(corrupt=True), md5_of=good)

    with pytest.raises(DataError) as caught:
        download(server, tmp_path)

    assert "checksum mismatch" in str(caught.value)
    assert "ml-100k.zip" in str(caught.value)
    assert "deleted" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_transfer_resumes(server, tmp_path):
    archive = make_ml100k_zip()
    publish(server, archive)
    server.truncate_next_zip = True

    folder = download(server, tmp_path)

    zip_requests = [range_header for path, range_header in server.requests if path == "/ml-100k.zip"]
    assert zip_requests == [None, f"bytes={len(archive) // 2}-"]
    assert len(load_dataset(folder).interactions) == N_RATINGS
    assert not (tmp_path / "ml-100k.zip.part").exists()


def test_server_ignoring_range_restarts(server, tmp_path):
    archive = make_ml100k_zip()
    publish(server, archive)
    server.ignore_range = True
    (tmp_path / "ml-100k.zip.part").write_bytes(b"stale bytes from another file")

    folder = download(server, tmp_path)

    zip_requests = [range_header for path, range_header in server.requests if path == "/ml-100k.zip"]
    assert zip_requests == ["bytes=29-"]
    assert len(load_dataset(folder).interactions) == N_RATINGS


def test_oversized_part_file_restarts(server, tmp_path):
    archive = make_ml100k_zip()
    publish(server, archive)
    (tmp_path / "ml-100k.zip.part").write_bytes(archive + b"extra")

    folder = download(server, tmp_path)

    zip_requests = [range_header for path, range_header in server.requests if path == "/ml-100k.zip"]
    assert zip_requests == [f"bytes={len(archive) + 5}-", None]
    assert folder.is_dir()


def test_cancel_keeps_part_for_resume(server, tmp_path):
    archive = make_ml100k_zip()
    publish(server, archive)
    calls = {"count": 0}

    def cancel_after_one_chunk() -> bool:
        calls["count"] += 1
        return calls["count"] > 1

    with pytest.raises(DownloadCancelled):
        download(server, tmp_path, cancel=cancel_after_one_chunk)
    part = tmp_path / "ml-100k.zip.part"
    kept = part.stat().st_size
    assert 0 < kept < len(archive)
    assert not (tmp_path / "ml-100k").exists()

    folder = download(server, tmp_path)

    zip_requests = [range_header for path, range_header in server.requests if path == "/ml-100k.zip"]
    assert zip_requests[-1] == f"bytes={kept}-"
    assert len(load_dataset(folder).interactions) == N_RATINGS


def test_missing_md5_falls_back_to_crc(server, tmp_path, caplog):
    publish(server, make_ml100k_zip(), md5=False)

    with caplog.at_level(logging.WARNING, logger="core.download"):
        folder = download(server, tmp_path)

    assert folder.is_dir()
    assert "No MD5 file published" in caplog.text


def test_missing_md5_corrupt_zip_rejected(server, tmp_path):
    publish(server, make_ml100k_zip(corrupt=True), md5=False)

    with pytest.raises(DataError) as caught:
        download(server, tmp_path)

    assert "ml-100k/u.data fails its CRC check" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_archive_without_ratings_rejected(server, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ml-100k/README", "no ratings here\n")
    publish(server, buffer.getvalue())

    with pytest.raises(DataError) as caught:
        download(server, tmp_path)

    assert "no MovieLens ratings file" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_http_404_reported(server, tmp_path):
    with pytest.raises(DataError) as caught:
        download(server, tmp_path)

    assert "HTTP 404" in str(caught.value)
    assert "ml-100k.zip" in str(caught.value)


def test_unreachable_server_offline_message(tmp_path):
    # Start a local server and close it again, so nothing listens on its port.
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = httpd.server_address[1]
    httpd.server_close()

    with pytest.raises(DataError) as caught:
        download_movielens("ml-100k", tmp_path, base_url=f"http://127.0.0.1:{port}/",
                           retries=1, backoff_seconds=0.0, timeout_seconds=5.0)

    message = str(caught.value)
    assert "failed after 2 attempts" in message
    assert "demo dataset" in message
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_returned_without_request(server, tmp_path):
    (tmp_path / "ml-100k").mkdir()
    (tmp_path / "ml-100k" / "u.data").write_text("1\t2\t3\t4\n")

    folder = download(server, tmp_path)

    assert folder == tmp_path / "ml-100k"
    assert server.requests == []


def test_existing_unrelated_folder_rejected(server, tmp_path):
    (tmp_path / "ml-100k").mkdir()

    with pytest.raises(DataError) as caught:
        download(server, tmp_path)

    assert "Remove or rename the folder" in str(caught.value)


def test_unknown_dataset_name(tmp_path):
    with pytest.raises(DataError) as caught:
        download_movielens("ml-999", tmp_path)

    assert "unknown MovieLens dataset 'ml-999'" in str(caught.value)


def test_default_data_dir():
    path = default_data_dir()

    assert path.name == "datasets"
    assert "sbr-tui" in path.parts
