"""Synthetic item-level datasets calibrated to published summary statistics.

A *design* file (``designs/NAME.toml``: instruments, item ranges, missingness, chosen unprinted
moments and correlations) plus the *claims registries* (what was printed) give a
:class:`SyntheticSpec`; :func:`generate` builds a dataset whose every printed statistic is
reproduced at its printed precision, deterministically for a seed. See docs/synthetic.md.

Example::

    from alliance_analysis.synthetic import spec_for, generate, write_dataset
    ds = generate(spec_for("davis2024"))          # committed seed
    write_dataset(ds, "data/synthetic/davis2024")

Methods restated (not copied) from MASS::mvrnorm(empirical = TRUE), Higham (2002) and the SPRITE
idea (Heathers et al. 2018). The data are SYNTHETIC: not any trial's participants.
"""

from .generate import GENERATOR_VERSION, NOTICE, GenerationError, SyntheticDataset, generate, verify
from .mvn import exact_mvn, nearest_correlation
from .output import mapping_toml, write_dataset
from .spec import SyntheticSpec, Variable, load_design, spec_for, spec_from_registry
from .targets import Alternative, Target, r_interval

__all__ = [
    "GENERATOR_VERSION",
    "NOTICE",
    "Alternative",
    "GenerationError",
    "SyntheticDataset",
    "SyntheticSpec",
    "Target",
    "Variable",
    "exact_mvn",
    "generate",
    "load_design",
    "mapping_toml",
    "nearest_correlation",
    "r_interval",
    "spec_for",
    "spec_from_registry",
    "verify",
    "write_dataset",
]
