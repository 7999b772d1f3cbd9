"""Packages: everything under src/, plus the project's data/ folder installed as
``alliance_analysis._data`` so that every command finds its shipped datasets from a wheel."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages("src"), "alliance_analysis._data"],
    package_dir={"": "src", "alliance_analysis._data": "data"},
)
