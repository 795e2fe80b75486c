import os

from photodedup.core.analyse.exact import find_identical, hash_file
from photodedup.core.analyse.scan import scan_roots


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_identical_bytes_grouped_same_size_different_bytes_not(tmp_path):
    body = os.urandom(200_000)
    write(tmp_path / "a.jpg", body)
    write(tmp_path / "x" / "b.jpg", body)
    write(tmp_path / "c.jpg", body[:-1] + bytes([body[-1] ^ 1]))  # same size, last byte differs
    write(tmp_path / "d.jpg", os.urandom(10))
    files, _ = scan_roots([str(tmp_path)])
    groups, hashes = find_identical(files)
    named = [sorted(os.path.basename(files[i].path) for i in g) for g in groups]
    assert named == [["a.jpg", "b.jpg"]]
    assert all(files[i].size != 10 for i in hashes), "a file with a unique size is never read"


def test_cached_hash_meets_new_copy(tmp_path):
    body = os.urandom(5000)
    write(tmp_path / "old.jpg", body)
    write(tmp_path / "new.jpg", body)
    files, _ = scan_roots([str(tmp_path)])
    known = {str(tmp_path / "old.jpg"): hash_file(str(tmp_path / "old.jpg"))}
    groups, _ = find_identical(files, lambda f: known.get(f.path))
    assert len(groups) == 1 and len(groups[0]) == 2
