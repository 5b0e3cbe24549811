"""Build the compiled kernels (NMEA decoding, track segmentation, the commit's ordering);
everything else is in pyproject.toml."""

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

KERNELS = ("ingest.nmea._lines", "ingest.nmea._payload", "detect._segment", "store._order")

extensions = [
    Extension(
        f"vesselwatch.{name}",
        [f"src/vesselwatch/{name.replace('.', '/')}.pyx"],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O3"],
    )
    for name in KERNELS
]

setup(ext_modules=cythonize(extensions, compiler_directives={"language_level": "3"}))
