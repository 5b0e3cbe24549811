"""Build the compiled NMEA kernel; everything else is in pyproject.toml."""

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = [
    Extension(
        f"vesselwatch.ingest.nmea.{name}",
        [f"src/vesselwatch/ingest/nmea/{name}.pyx"],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O3"],
    )
    for name in ("_lines", "_payload")
]

setup(ext_modules=cythonize(extensions, compiler_directives={"language_level": "3"}))
