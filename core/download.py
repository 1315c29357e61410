"""Download of MovieLens archives from GroupLens, with resume, retries, checksum and atomic unpacking."""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import re
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Callable

import platformdirs

from core.errors import DataError, SbrError

log = logging.getLogger(__name__)

DATASET_NAMES = ("ml-1m", "ml-100k", "ml-latest-small")
DEFAULT_BASE_URL = "https://files.grouplens.org/datasets/movielens/"
CHUNK_BYTES = 64 * 1024
# HTTP status codes worth retrying: rate limiting and server-side failures.
RETRY_STATUS_CODES = {429, 500, 502, 503, 504}
OFFLINE_FIX = "Check the network connection, or use the demo dataset or a MovieLens folder on this computer."


class DownloadCancelled(SbrError):
    """The caller cancelled a download; the partial file stays for a later resume."""


class _Interrupted(Exception):
    """The server closed the connection before the whole file arrived."""


def default_data_dir() -> Path:
    """Return the folder where downloaded datasets are kept: the platformdirs user data dir / "datasets"."""
    return Path(platformdirs.user_data_dir("sbr-tui", appauthor=False)) / "datasets"


def download_movielens(
    name: str,
    dest_dir: Path,
    progress: Callable[[int, int | None], None] | None = None,
    base_url: str = DEFAULT_BASE_URL,
    cancel: Callable[[], bool] | None = None,
    *,
    retries: int = 3,
    backoff_seconds: float = 1.0,
    timeout_seconds: float = 30.0,
) -> Path:
    """Download, verify and unpack a MovieLens archive; return the dataset folder `dest_dir / name`.

    Fetches `{base_url}{name}.zip` into `{name}.zip.part`, resuming an existing
    part file with an HTTP Range request, and retries dropped connections and
    5xx responses `retries` times with exponential backoff. The archive is checked
    against the MD5 sum in `{name}.zip.md5` when the server publishes one, and
    always with the CRCs in the zip. It is unpacked into a temporary folder and
    moved into place with os.replace, so a failure leaves no half-written
    dataset folder. An existing dataset folder is returned without downloading.

    `progress(bytes_done, bytes_total)` gets None as the total when the server
    does not send a length. `cancel()` is polled between chunks; when it returns
    True, DownloadCancelled is raised and the part file is kept. Network and
    checksum failures raise DataError.
    """
    from core.datasets import detect_format  # imported here because core.datasets re-exports this module

    if name not in DATASET_NAMES:
        raise DataError(None, f"unknown MovieLens dataset {name!r}.", expected=f"one of {', '.join(DATASET_NAMES)}")
    dest_dir = Path(dest_dir)
    target = dest_dir / name
    if target.exists():
        try:
            detect_format(target)
        except DataError:
            raise DataError(target, "the folder exists but contains no MovieLens ratings file.",
                            fix="Remove or rename the folder, then download again.") from None
        return target

    dest_dir.mkdir(parents=True, exist_ok=True)
    url = f"{base_url}{name}.zip"
    part = dest_dir / f"{name}.zip.part"

    def fetch_md5() -> str | None:
        return _fetch_md5(url + ".md5", timeout_seconds)

    def fetch_archive() -> None:
        _fetch_to_part(url, part, progress, cancel, timeout_seconds)

    expected_md5 = _with_retries(url + ".md5", fetch_md5, retries, backoff_seconds)
    _with_retries(url, fetch_archive, retries, backoff_seconds)
    _verify_archive(url, part, expected_md5)
    try:
        _extract(part, target)
    finally:
        part.unlink()
    return target


def _with_retries(url: str, action: Callable, retries: int, backoff_seconds: float):
    """Run `action` and retry it on transient network failures, raising DataError once the retries are used up."""
    for attempt in range(retries + 1):
        try:
            return action()
        except urllib.error.HTTPError as error:
            if error.code not in RETRY_STATUS_CODES:
                raise DataError(url, f"the server returned HTTP {error.code} {error.reason}.",
                                fix="Check the dataset name and the download address.") from None
            failure: Exception = error
        except urllib.error.URLError as error:
            if isinstance(error.reason, socket.gaierror):
                raise DataError(url, f"cannot resolve the server name ({error.reason}), so the computer "
                                     "looks offline.", fix=OFFLINE_FIX) from None
            failure = error
        except (_Interrupted, http.client.HTTPException, ConnectionError, TimeoutError) as error:
            failure = error

        if attempt == retries:
            raise DataError(url, f"the download failed after {retries + 1} attempts: {failure}.",
                            fix=OFFLINE_FIX) from None
        delay = backoff_seconds * 2**attempt
        log.warning("Download of %s failed (%s); retry %d of %d in %.1f s", url, failure, attempt + 1, retries, delay)
        time.sleep(delay)
    raise AssertionError("unreachable")


def _fetch_md5(url: str, timeout_seconds: float) -> str | None:
    """Return the MD5 sum published at `url`, or None when the server has no such file."""
    try:
        with urllib.request.urlopen(_request(url), timeout=timeout_seconds) as response:
            text = response.read(4096).decode("ascii", errors="replace")
    except urllib.error.HTTPError as error:
        if error.code in (403, 404, 410):
            return None
        raise
    # GroupLens writes `MD5 (name.zip) = <hex>`; md5sum writes `<hex>  name.zip`. Both contain one 32-digit hex run.
    match = re.search(r"\b[0-9a-fA-F]{32}\b", text)
    return match.group(0).lower() if match else None


def _request(url: str, offset: int = 0) -> urllib.request.Request:
    headers = {"User-Agent": "sbr-tui"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    return urllib.request.Request(url, headers=headers)


def _fetch_to_part(
    url: str,
    part: Path,
    progress: Callable[[int, int | None], None] | None,
    cancel: Callable[[], bool] | None,
    timeout_seconds: float,
) -> None:
    """Stream `url` into `part`, appending to what is already there when the server honours Range."""
    offset = part.stat().st_size if part.exists() else 0
    try:
        response = urllib.request.urlopen(_request(url, offset), timeout=timeout_seconds)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:
            # The part file is as long as the archive or longer, so start over.
            part.unlink()
            raise _Interrupted("the server rejected the resume range") from None
        raise

    with response:
        length = response.headers.get("Content-Length")
        length = int(length) if length and length.isdigit() else None
        content_range = response.headers.get("Content-Range", "")
        resumed = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", content_range.strip())
        if offset and response.status == 206 and resumed and int(resumed.group(1)) == offset:
            mode = "ab"
            if resumed.group(2) != "*":
                total = int(resumed.group(2))
            elif length is not None:
                total = offset + length
            else:
                total = None
        else:
            # The server ignored the Range header (status 200) or sent another range, so take the whole body.
            if offset:
                log.info("Server ignored the resume request for %s; downloading from the start", url)
            offset = 0
            mode = "wb"
            total = length

        done = offset
        with part.open(mode) as output:
            if progress is not None:
                progress(done, total)
            while True:
                if cancel is not None and cancel():
                    raise DownloadCancelled(f"Download of {url} cancelled after {done} bytes; run it again to resume.")
                chunk = response.read(CHUNK_BYTES)
                if not chunk:
                    break
                output.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)

    # http.client returns an empty read, not an error, when the connection closes early.
    if total is not None and done < total:
        raise _Interrupted(f"the connection closed after {done} of {total} bytes")


def _verify_archive(url: str, part: Path, expected_md5: str | None) -> None:
    """Check the downloaded archive; delete it and raise DataError when it is corrupt."""
    if expected_md5 is not None:
        digest = hashlib.md5(usedforsecurity=False)
        with part.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected_md5:
            part.unlink()
            raise DataError(url, f"checksum mismatch: the MD5 of the download is {digest.hexdigest()}, "
                                 f"but the server publishes {expected_md5}. The corrupt download was deleted.",
                            fix="Download again; if it fails again, the server copy or a proxy is at fault.")
    else:
        log.warning("No MD5 file published for %s; checking the archive with the zip CRCs only", url)

    try:
        with zipfile.ZipFile(part) as archive:
            bad_member = archive.testzip()
    except zipfile.BadZipFile as error:
        part.unlink()
        raise DataError(url, f"the download is not a valid zip archive ({error}). It was deleted.",
                        fix="Download again.") from None
    if bad_member is not None:
        part.unlink()
        raise DataError(url, f"the archive member {bad_member} fails its CRC check. The download was deleted.",
                        fix="Download again.")


def _extract(archive_path: Path, target: Path) -> None:
    """Unpack the archive into a temporary folder beside `target`, then move the dataset folder into place."""
    from core.datasets import detect_format

    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-unpack-", dir=target.parent))
    try:
        with zipfile.ZipFile(archive_path) as archive:
            for member in archive.namelist():
                member_path = Path(member)
                if member_path.is_absolute() or ".." in member_path.parts:
                    raise DataError(archive_path, f"the archive member {member!r} points outside the archive folder.",
                                    fix="Download the archive again from GroupLens.")
            archive.extractall(staging)

        entries = list(staging.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        try:
            detect_format(root)
        except DataError:
            raise DataError(archive_path, "the archive contains no MovieLens ratings file.",
                            fix="Check the dataset name and the download address.") from None
        os.replace(root, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
