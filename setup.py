"""Builds nnlat's Python extension with the project's own CMake, so that `pip install .`
gives the same module as `make build` (docs/python.md).

NNLAT_BUILD_DIR: a CMake build folder to build the extension in (default build-python/); an
already configured one (e.g. build/) is used as it is, so pip rebuilds only what changed.
"""

import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = pathlib.Path(__file__).parent.resolve()
(SOURCE / "build-python").mkdir(exist_ok=True)  # egg_base below must exist


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build = pathlib.Path(os.environ.get("NNLAT_BUILD_DIR", SOURCE / "build-python")).resolve()
        if not (build / "CMakeCache.txt").exists():
            subprocess.check_call(["cmake", "-S", str(SOURCE), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                                   "-DNNLAT_BUILD_TESTS=OFF", "-DNNLAT_BUILD_BENCH=OFF",
                                   f"-DPython3_EXECUTABLE={sys.executable}"])
        subprocess.check_call(["cmake", "--build", str(build), "--target", "_nnlat", "-j", str(os.cpu_count() or 1)])
        built = sorted((build / "python" / "nnlat").glob("_nnlat*.so"))
        if not built:
            raise RuntimeError(f"the CMake build in {build} made no _nnlat extension")
        destination = pathlib.Path(self.get_ext_fullpath(ext.name))
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], destination)


setup(
    packages=["nnlat"],
    package_dir={"nnlat": "python/nnlat"},
    package_data={"nnlat": ["*.pyi", "py.typed"]},
    ext_modules=[CMakeExtension("nnlat._nnlat")],
    cmdclass={"build_ext": CMakeBuild},
    # setuptools' own scratch files stay out of the source tree's CMake build folder.
    options={"build": {"build_base": "build-python/setuptools"}, "egg_info": {"egg_base": "build-python"}},
)
