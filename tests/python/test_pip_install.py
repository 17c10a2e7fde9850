"""`pip install . --no-build-isolation` installs a working module without any download
(the CMake build of this test run is reused through NNLAT_BUILD_DIR)."""

import os
import subprocess
import sys

import pytest


def test_pip_install_into_a_folder(tmp_path):
    source = os.environ.get("NNLAT_SOURCE_DIR")
    build = os.environ.get("NNLAT_BUILD_DIR")
    if not source or not build:
        pytest.skip("run through CTest (NNLAT_SOURCE_DIR and NNLAT_BUILD_DIR)")
    target = tmp_path / "site"
    env = dict(os.environ, NNLAT_BUILD_DIR=build)
    env.pop("PYTHONPATH", None)  # the installed copy must stand alone
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index",
                              "--target", str(target), source], capture_output=True, text=True, env=env, timeout=1200)
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run(
        [sys.executable, "-c", "import nnlat, sys; m = nnlat.load_model('zoo:mobilenet_v2'); "
         "print(nnlat.__file__); print(m.params)"],
        capture_output=True, text=True, env=dict(env, PYTHONPATH=str(target)), cwd=str(tmp_path))
    assert check.returncode == 0, check.stderr
    location, params = check.stdout.split()
    assert location.startswith(str(target))
    assert int(params) > 3_000_000
    assert (target / "nnlat" / "__init__.pyi").exists() and (target / "nnlat" / "py.typed").exists()
