import os
from pathlib import Path

from photodedup.core.analyse.scan import scan_roots


def touch_image(path: Path, content: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def paths(files):
    return sorted(f.path for f in files)


def test_finds_images_by_extension_case_insensitively(tmp_path):
    touch_image(tmp_path / "a.jpg")
    touch_image(tmp_path / "B.JPEG")
    touch_image(tmp_path / "sub" / "c.png")
    touch_image(tmp_path / "notes.txt")
    files, problems = scan_roots([str(tmp_path)])
    assert [os.path.basename(p) for p in paths(files)] == ["B.JPEG", "a.jpg", "c.png"]
    assert problems == []


def test_overlapping_roots_give_each_file_once(tmp_path):
    touch_image(tmp_path / "p" / "top.jpg", b"1")
    touch_image(tmp_path / "p" / "2020" / "inner.jpg", b"2")
    for roots in ([tmp_path / "p", tmp_path / "p" / "2020"], [tmp_path / "p" / "2020", tmp_path / "p"]):
        files, _ = scan_roots([str(r) for r in roots])
        assert sorted(os.path.basename(p) for p in paths(files)) == ["inner.jpg", "top.jpg"]


def test_symlinked_folder_and_loop_give_each_file_once_with_real_paths(tmp_path):
    real = tmp_path / "lib" / "real"
    touch_image(real / "photo.jpg")
    os.symlink(real, tmp_path / "lib" / "alias")
    os.symlink(tmp_path / "lib", real / "loop")  # a loop back to the top
    files, problems = scan_roots([str(tmp_path / "lib")])
    assert paths(files) == [str(real / "photo.jpg")]
    assert problems == []


def test_hard_links_are_one_file(tmp_path):
    first = touch_image(tmp_path / "a" / "one.jpg")
    (tmp_path / "b").mkdir()
    os.link(first, tmp_path / "b" / "two.jpg")
    files, _ = scan_roots([str(tmp_path)])
    assert len(files) == 1


def test_excludes_match_names_and_paths(tmp_path):
    touch_image(tmp_path / "keep" / "a.jpg")
    touch_image(tmp_path / "skipme" / "b.jpg")
    touch_image(tmp_path / "keep" / "c_thumb.jpg")
    touch_image(tmp_path / ".Trash-1000" / "files" / "d.jpg")
    files, _ = scan_roots([str(tmp_path)], excludes=["skipme", "*_thumb.jpg"])
    assert [os.path.basename(p) for p in paths(files)] == ["a.jpg"]


def test_missing_root_is_a_problem_not_a_crash(tmp_path):
    files, problems = scan_roots([str(tmp_path / "nope")])
    assert files == []
    assert len(problems) == 1 and "no longer exists" in problems[0].reason


def test_unreadable_folder_is_reported(tmp_path, monkeypatch):
    touch_image(tmp_path / "open" / "a.jpg")
    locked = tmp_path / "locked"
    touch_image(locked / "b.jpg")
    real_scandir = os.scandir

    def scandir(path):  # root ignores permission bits, so refuse the way the kernel would
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, problems = scan_roots([str(tmp_path)])
    assert [os.path.basename(p) for p in paths(files)] == ["a.jpg"]
    assert [(p.path, p.reason) for p in problems] == [(str(locked), "folder skipped: permission denied")]


def test_records_size_mtime_and_identity(tmp_path):
    path = touch_image(tmp_path / "a.jpg", b"12345")
    (file,), _ = scan_roots([str(tmp_path)])
    info = path.stat()
    assert (file.size, file.mtime_ns, file.identity) == (5, info.st_mtime_ns, (info.st_dev, info.st_ino))
