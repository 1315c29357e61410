"""The `sbr-tui` command line on real data: train, stats, recommend, runs and bad input."""

import json

import numpy as np
import pandas as pd
import pytest

from sbr_tui.cli import main

COURSE_SPLIT = {
    "train": {"events": 43_580, "sessions": 572},
    "valid": {"events": 12_621, "sessions": 129, "predictions": 12_492},
    "test": {"events": 25_819, "sessions": 242, "predictions": 25_577},
}


def last_json_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return json.loads(lines[-1])


def run_cli(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def ml100k_run(shared_data, tmp_path_factory):
    """One epoch on MovieLens 100K with the default settings, run once for the module."""
    runs = tmp_path_factory.mktemp("runs")
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        status = main(["train", str(shared_data / "ml-100k"), "--epochs", "1", "--json", "--runs-dir", str(runs)])
    assert status == 0
    return last_json_line(buffer.getvalue())


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert "sbr-tui" in capsys.readouterr().out

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = capsys.readouterr().out
    assert "--batch-size" in help_text
    assert "(default: 64)" in help_text
    assert "--epochs" in help_text
    assert "--seed" in help_text


def test_train_reports_course_split(ml100k_run):
    data = ml100k_run["data"]
    for part, expected in COURSE_SPLIT.items():
        for key, value in expected.items():
            assert data[part][key] == value, (part, key)
    assert ml100k_run["test"]["predictions"] == 25_577
    assert ml100k_run["status"] == "finished"


def test_train_json_has_every_key(ml100k_run):
    assert len(ml100k_run["epochs"]) == 1
    epoch = ml100k_run["epochs"][0]
    for key in ("epoch", "loss", "valid", "seconds", "events_per_second"):
        assert key in epoch
    assert "recall@20" in epoch["valid"]
    assert "mrr@20" in epoch["valid"]
    for name in ("popular", "item_to_next"):
        assert "recall@20" in ml100k_run["baselines"][name]
        assert ml100k_run["baselines"][name]["predictions"] == 25_577
    for part in ("train", "valid", "test"):
        assert set(ml100k_run["data"][part]) >= {"events", "sessions", "items", "predictions"}


def test_run_directory_files(ml100k_run):
    from pathlib import Path

    run_dir = Path(ml100k_run["run_dir"])
    for name in ("config.json", "metrics.jsonl", "results.json", "best.weights.h5", "last.weights.h5", "items.npz", "sessions.npz"):
        assert (run_dir / name).exists(), name
    results = json.loads((run_dir / "results.json").read_text())
    assert results["status"] == "finished"
    assert results["test"]["recall@20"] == ml100k_run["test"]["recall@20"]
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    assert len(lines) == 1
    assert not list(run_dir.glob(".*tmp*"))


def test_dat_format_gives_same_split_and_metrics(shared_data, tmp_path, ml100k_run, capsys):
    ratings = pd.read_csv(shared_data / "ml-100k" / "u.data", sep="\t", header=None)
    lines = ratings.astype(str).agg("::".join, axis=1)
    folder = tmp_path / "ml-dat"
    folder.mkdir()
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n")

    status, out, _ = run_cli(capsys, "train", str(folder / "ratings.dat"), "--epochs", "1", "--json", "--runs-dir", str(tmp_path / "runs"))

    assert status == 0
    report = last_json_line(out)
    assert report["data"] == ml100k_run["data"]
    assert report["test"] == ml100k_run["test"]
    assert report["epochs"][0]["loss"] == ml100k_run["epochs"][0]["loss"]


def test_recommend_shows_history_and_titles(ml100k_run, capsys):
    run_dir = ml100k_run["run_dir"]
    status, out, _ = run_cli(capsys, "recommend", run_dir, "--session", "1", "-k", "5", "--json")

    assert status == 0
    report = last_json_line(out)
    assert report["part"] in ("valid", "test")
    assert len(report["recommendations"]) == 5
    assert report["history"][0]["title"]
    assert all(r["title"] for r in report["recommendations"])
    scores = [r["score"] for r in report["recommendations"]]
    assert scores == sorted(scores, reverse=True)


def test_recommend_unknown_session(ml100k_run, capsys):
    status, _, err = run_cli(capsys, "recommend", ml100k_run["run_dir"], "--session", "999999")

    assert status == 2
    assert "999999" in err
    assert "--list" in err


def test_stats_json(shared_data, capsys):
    status, out, _ = run_cli(capsys, "stats", str(shared_data / "ml-100k"), "--json")

    assert status == 0
    report = last_json_line(out)
    assert report["raw"]["events"] == 100_000
    assert report["raw"]["users"] == 943
    assert report["split"]["test"]["predictions"] == 25_577


def test_stats_tables(shared_data, capsys):
    status, out, _ = run_cli(capsys, "stats", str(shared_data / "ml-100k"))

    assert status == 0
    assert "100,000" in out
    assert "session length" in out


def test_stats_warns_about_broken_metadata(shared_data, tmp_path, capsys):
    (tmp_path / "ratings.csv").symlink_to(shared_data / "ml-latest-small" / "ratings.csv")
    (tmp_path / "movies.csv").write_text("movieId;title;genres\n1;Toy Story (1995);Animation\n", encoding="utf-8")

    status, out, err = run_cli(capsys, "stats", str(tmp_path))

    assert status == 0
    assert "100,836" in out
    assert "Warning:" in err
    assert "movies.csv, line 1" in err


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    status, _, err = run_cli(capsys, "train", str(tmp_path / "nothing.dat"))

    assert status == 2
    assert "nothing.dat" in err


def test_invalid_setting_is_a_clear_error(shared_data, capsys):
    status, _, err = run_cli(capsys, "train", str(shared_data / "ml-100k"), "--batch-size", "0")

    assert status == 2
    assert "--batch-size (train.batch_size)" in err
    assert "got 0" in err


def test_batch_larger_than_train_sessions(shared_data, capsys):
    status, _, err = run_cli(capsys, "train", str(shared_data / "ml-100k"), "--batch-size", "5000", "--runs-dir", "/nonexistent-unused")

    assert status == 2
    assert "572" in err


def test_toml_config_and_flag_override(tmp_path):
    from argparse import Namespace

    from sbr_tui.cli import _parser, build_config

    config_file = tmp_path / "settings.toml"
    config_file.write_text("[train]\nepochs = 3\nbatch_size = 16\n[model]\nhidden_size = 50\n")
    args = _parser().parse_args(["train", "data", "--config", str(config_file), "--epochs", "2"])
    config = build_config(args, args.path)

    assert config.train.epochs == 2
    assert config.train.batch_size == 16
    assert config.model.hidden_size == 50
    assert config.data.path == "data"
    assert isinstance(args, Namespace)


def test_preset_then_flags(tmp_path):
    from sbr_tui.cli import _parser, build_config

    args = _parser().parse_args(["train", "--train", "a.tsv", "--test", "b.tsv", "--preset", "rsc15-reference", "--batch-size", "50"])
    config = build_config(args, args.path)

    assert config.model.n_sample == 2048
    assert config.train.optimizer == "adagrad"
    assert config.train.batch_size == 50
    assert config.data.path is None


def test_bad_toml_is_a_clear_error(tmp_path, capsys):
    config_file = tmp_path / "bad.toml"
    config_file.write_text("[train\nepochs = 3\n")
    status, _, err = run_cli(capsys, "train", "x", "--config", str(config_file))

    assert status == 2
    assert "bad.toml" in err


def test_unknown_toml_setting(tmp_path, capsys):
    config_file = tmp_path / "typo.toml"
    config_file.write_text("[train]\nepoch = 3\n")
    status, _, err = run_cli(capsys, "train", "x", "--config", str(config_file))

    assert status == 2
    assert "train.epoch" in err


def test_runs_lists_broken_directory(tmp_path, ml100k_run, capsys):
    import shutil
    from pathlib import Path

    runs = tmp_path / "runs"
    shutil.copytree(ml100k_run["run_dir"], runs / "good")
    (runs / "broken").mkdir()
    (runs / "broken" / "config.json").write_text("{not json")

    status, out, _ = run_cli(capsys, "runs", "--runs-dir", str(runs))

    assert status == 0
    assert "broken" in out
    assert "finished" in out
    assert Path(ml100k_run["run_dir"]).exists()


def test_stats_when_split_impossible(shared_data, capsys):
    # One YOOCHOOSE file spans a few days, so the 30-day test period would take every session.
    path = shared_data / "yoochoose-100k" / "yoochoose-clicks-100k_train_full.txt"
    status, out, _ = run_cli(capsys, "stats", str(path), "--json")

    assert status == 0
    report = last_json_line(out)
    assert report["split"] is None
    assert "test_days" in report["split_error"]
    assert report["sessions"]["events"] == 70_278


def test_stats_on_presplit_files(shared_data, capsys):
    folder = shared_data / "yoochoose-100k"
    status, out, _ = run_cli(
        capsys, "stats", "--train", str(folder / "yoochoose-clicks-100k_train_full.txt"),
        "--test", str(folder / "yoochoose-clicks-100k_test.txt"), "--json",
    )

    assert status == 0
    report = last_json_line(out)
    assert report["split"]["test"]["predictions"] == 10_152


def test_stats_on_presplit_folder(shared_data, capsys):
    status, out, _ = run_cli(capsys, "stats", str(shared_data / "splits" / "ml100k-course"), "--json")

    assert status == 0
    report = last_json_line(out)
    assert report["split"]["train"]["events"] == 43_580
    assert report["split"]["valid"]["events"] == 12_621
    assert report["split"]["test"]["predictions"] == 25_577


def test_stats_names_presplit_files(shared_data, capsys):
    folder = shared_data / "yoochoose-100k"
    status, out, _ = run_cli(capsys, "stats", str(folder))

    assert status == 0
    assert "Pre-split files, used as they are:" in out
    assert f"test {folder / 'yoochoose-clicks-100k_test.txt'}" in out


def test_stats_has_only_data_flags(capsys):
    with pytest.raises(SystemExit):
        main(["stats", "--help"])
    help_text = capsys.readouterr().out

    assert "--min-rating" in help_text
    assert "--epochs" not in help_text


def test_recommend_list_json(ml100k_run, capsys):
    status, out, _ = run_cli(capsys, "recommend", ml100k_run["run_dir"], "--list", "--json")

    assert status == 0
    ids = last_json_line(out)
    assert len(ids["test"]) == 242
    assert len(ids["valid"]) == 129


def test_runs_missing_folder(tmp_path, capsys):
    status, _, err = run_cli(capsys, "runs", "--runs-dir", str(tmp_path / "missing"))

    assert status == 2
    assert "not found" in err


def test_folder_with_only_item_file(shared_data, capsys):
    status, _, err = run_cli(capsys, "stats", str(shared_data / "ml-1m"))

    assert status == 2
    assert "movies.dat" in err
    assert "no ratings file" in err
