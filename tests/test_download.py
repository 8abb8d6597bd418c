"""Checked downloads (pooch) against a local HTTP server on 127.0.0.1: good, corrupted, cut off, in
progress; the all-or-nothing zip extraction, and why it is not pooch's `Unzip`."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pooch
import pytest

from helpers.download import DownloadError, extract_zip, fetch

PAYLOAD = b"real bytes of a dataset archive\n" * 2000
GOOD_SHA = hashlib.sha256(PAYLOAD).hexdigest()
GOOD_MD5 = hashlib.md5(PAYLOAD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []
    release = threading.Event()  # /slow.bin sends its second half only once this is set

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Handler.hits.append(self.path)
        if self.path == "/good.bin":
            body = PAYLOAD
        elif self.path == "/corrupt.bin":
            body = PAYLOAD[:-5] + b"XXXXX"
        elif self.path in ("/dies.bin", "/slow.bin"):  # half the file, then cut off, or the rest once released
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
            self.wfile.flush()
            if self.path == "/dies.bin":
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                Handler.release.wait(30)
                self.wfile.write(PAYLOAD[len(PAYLOAD) // 2 :])
            return
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.hits = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_file_is_cached(server: str, tmp_path: Path) -> None:
    path = fetch(f"{server}/good.bin", "good.bin", GOOD_SHA, cache=tmp_path)
    assert path == tmp_path / "good.bin" and path.read_bytes() == PAYLOAD
    again = fetch(f"{server}/good.bin", "good.bin", GOOD_SHA, cache=tmp_path)
    assert again == path and Handler.hits == ["/good.bin"]  # second call served from the cache
    assert leftovers(tmp_path) == ["good.bin"]


def test_md5_checksums_work(server: str, tmp_path: Path) -> None:
    assert fetch(f"{server}/good.bin", "good.bin", f"md5:{GOOD_MD5}", cache=tmp_path).read_bytes() == PAYLOAD


def test_corrupted_download_is_rejected(server: str, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="does not match its published checksum"):
        fetch(f"{server}/corrupt.bin", "data.bin", GOOD_SHA, cache=tmp_path)
    assert leftovers(tmp_path) == []  # nothing kept, nothing half-written


def test_corrupted_cache_is_fetched_again(server: str, tmp_path: Path) -> None:
    (tmp_path / "good.bin").write_bytes(PAYLOAD[:100])  # a truncated earlier download
    path = fetch(f"{server}/good.bin", "good.bin", GOOD_SHA, cache=tmp_path)
    assert path.read_bytes() == PAYLOAD and Handler.hits == ["/good.bin"]


def test_corrupted_cache_never_used_when_offline(tmp_path: Path) -> None:
    (tmp_path / "good.bin").write_bytes(b"tampered")
    for _ in range(2):  # pooch leaves the stale file in place, and checks it again on every call
        with pytest.raises(DownloadError):
            fetch("http://127.0.0.1:9/good.bin", "good.bin", GOOD_SHA, cache=tmp_path)
    assert leftovers(tmp_path) == ["good.bin"]


def test_server_dies_mid_transfer(server: str, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="Could not download"):
        fetch(f"{server}/dies.bin", "dies.bin", GOOD_SHA, cache=tmp_path)
    assert leftovers(tmp_path) == []


def test_no_network_message(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/ml-100k.zip"
    with pytest.raises(DownloadError) as info:
        fetch(url, "ml-100k.zip", GOOD_SHA, cache=tmp_path)
    message = str(info.value)
    assert url in message and str(tmp_path / "ml-100k.zip") in message and "COURSE_DATA_DIR" in message


def in_transfer(folder: Path, download: Callable[[], object]) -> list[str]:
    """The files in `folder` (relative paths) while half of /slow.bin has arrived: what a kill leaves."""
    Handler.release.clear()
    worker = threading.Thread(target=download, daemon=True)
    worker.start()
    seen: list[str] = []
    deadline = time.monotonic() + 30
    while not seen and time.monotonic() < deadline:
        seen = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.stat().st_size)
        time.sleep(0.01)
    Handler.release.set()
    worker.join(30)
    return seen


def test_fetch_downloads_under_a_temporary_name(server: str, tmp_path: Path) -> None:
    seen = in_transfer(tmp_path, lambda: fetch(f"{server}/slow.bin", "slow.bin", GOOD_SHA, cache=tmp_path))
    assert len(seen) == 1 and seen[0].startswith("tmp")  # pooch's temporary: a kill now leaves nothing named slow.bin
    assert leftovers(tmp_path) == ["slow.bin"] and (tmp_path / "slow.bin").read_bytes() == PAYLOAD


def test_extract_zip_all_or_nothing(tmp_path: Path) -> None:
    import zipfile

    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("ml-100k/u.data", "1\t1\t5\t0\n")
    out = extract_zip(good, tmp_path / "out", "ml-100k")
    assert (out / "u.data").read_text() == "1\t1\t5\t0\n"
    wrong = tmp_path / "wrong.zip"
    with zipfile.ZipFile(wrong, "w") as zf:
        zf.writestr("other/u.data", "x")
    with pytest.raises(DownloadError, match="no folder ml-1m/"):
        extract_zip(wrong, tmp_path / "out2", "ml-1m")
    assert leftovers(tmp_path / "out2") == []
    unsafe = tmp_path / "unsafe.zip"
    with zipfile.ZipFile(unsafe, "w") as zf:
        zf.writestr("ml-100k/../../evil", "x")
        zf.writestr("/ml-100k/u.data", "y")
    out = extract_zip(unsafe, tmp_path / "out3", "ml-100k")
    assert leftovers(out) == ["evil", "u.data"] and leftovers(tmp_path / "out3") == ["ml-100k"]  # ".." dropped
    assert not (tmp_path / "evil").exists()


def test_pooch_unzip_keeps_a_cut_off_extraction(tmp_path: Path) -> None:
    """Why extract_zip is the kit's own: pooch's Unzip extracts in place and re-extracts only when a
    member is missing, so an extraction cut off inside the last member leaves a truncated file in use."""
    import zipfile

    archive = tmp_path / "ml-100k.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ml-100k/u.data", "1\t1\t5\t0\n")
        zf.writestr("ml-100k/ub.test", "1\t1\t5\t0\n" * 100)
    pooch.Unzip(extract_dir=".")(str(archive), "download", None)
    (tmp_path / "ml-100k" / "ub.test").write_text("1\t1\t5\t0\n" * 40)  # as a kill during the last write leaves it
    pooch.Unzip(extract_dir=".")(str(archive), "fetch", None)  # the next call, with the archive cached
    assert (tmp_path / "ml-100k" / "ub.test").read_text().count("\n") == 40


def serve_folder(folder: Path) -> tuple[str, object]:
    import functools

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}/", httpd


def test_online_loaders_download_check_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without COURSE_DATA_DIR the loaders fetch, verify, extract and cache (synthetic files)."""
    import zipfile

    import numpy as np

    from helpers import datasets, download

    site = tmp_path / "site"
    site.mkdir()
    with zipfile.ZipFile(site / "ml-100k.zip", "w") as zf:  # a made-up release in GroupLens's layout
        zf.writestr("ml-100k/u.data", "1\t10\t4\t100\n2\t10\t3\t101\n2\t20\t5\t102\n")
        zf.writestr("ml-100k/u1.base", "1\t10\t4\t100\n2\t20\t5\t102\n")
        zf.writestr("ml-100k/u1.test", "2\t10\t3\t101\n")
        zf.writestr("ml-100k/u.item", "10|Film A (1990)|x\n20|Film \xe9 (1991)|x\n".encode("latin-1"))
    rng = np.random.default_rng(0)
    with open(site / "mnist.npz", "wb") as f:
        np.savez(f, x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), y_train=np.arange(6, dtype=np.uint8),
                 x_test=rng.integers(0, 256, (2, 28, 28), dtype=np.uint8), y_test=np.arange(2, dtype=np.uint8))
    url, httpd = serve_folder(site)
    try:
        cache = tmp_path / "cache"
        monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
        monkeypatch.setattr(download, "cache_dir", lambda: cache)
        monkeypatch.setattr(datasets, "GROUPLENS", url)
        spec = {**datasets.MOVIELENS["ml-100k"], "md5": hashlib.md5((site / "ml-100k.zip").read_bytes()).hexdigest()}
        monkeypatch.setitem(datasets.MOVIELENS, "ml-100k", spec)
        monkeypatch.setattr(datasets, "MNIST_URL", url + "mnist.npz")
        monkeypatch.setattr(datasets, "MNIST_SHA256", hashlib.sha256((site / "mnist.npz").read_bytes()).hexdigest())

        train, test = datasets.load_movielens("ml-100k", "u1")
        assert (len(train), len(test)) == (2, 1) and test.iloc[0].tolist() == [2, 10, 3, 101]
        assert datasets.load_movie_titles("ml-100k")[20] == "Film \xe9 (1991)"
        assert sorted(p.name for p in cache.iterdir()) == ["ml-100k", "ml-100k.zip"]
        (x_train, y_train), (x_test, _) = datasets.load_mnist()
        assert x_train.shape == (6, 784) and x_test.shape == (2, 784) and x_train.max() <= 1.0
        assert y_train.tolist() == list(range(6))
        assert (cache / "mnist.npz").is_file()

        (site / "ml-100k.zip").write_bytes(b"the publisher's file changed")  # now nothing may be fetched
        httpd.shutdown()
        assert len(datasets.load_movielens("ml-100k", "u1")[0]) == 2  # served from the verified cache
    finally:
        httpd.shutdown()
        httpd.server_close()
