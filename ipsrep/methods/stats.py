"""The statistical tests of the trial paper in one namespace, for readers and notebooks.

The trial's analysis plan (Sveinsdottir et al. 2022, Methods, Statistical Analyses):
analysis by randomised group; 2x2 tables by Pearson chi-squared without continuity
correction, with Fisher's exact p where an expected count is below 5, and odds ratios
with 95% confidence intervals; two-group means by SPSS's independent-samples t test
procedure; alpha .05, two-sided. The sample size (Methods, Sample Size) was 31 per
group for 61% versus 23% employed, alpha .05, power .90.

Each topic has its own module, where the code and the tests live: 2x2 tables and
proportion intervals (:mod:`.proportions`), t tests (:mod:`.ttests`), Holm's adjustment
(:mod:`.multiplicity`), the Mann-Whitney test (:mod:`.ranks`), the bootstrap
(:mod:`.resampling`), sample size and power (:mod:`.power`), the checks of arguments
(:mod:`.arguments`). This module only gathers their public names, so that
``from ipsrep.methods import stats`` and ``stats.two_by_two(...)`` keep working.
"""
from __future__ import annotations

from ipsrep.methods.multiplicity import holm
from ipsrep.methods.power import (
    SAMPLE_SIZE_METHODS,
    n_per_group_two_proportions,
    power_two_proportions,
    simulated_power_chi2,
)
from ipsrep.methods.proportions import clopper_pearson_interval, two_by_two, wilson_interval
from ipsrep.methods.ranks import mann_whitney
from ipsrep.methods.resampling import bootstrap_mean_difference, resample_batch
from ipsrep.methods.ttests import spss_ttest, ttest_from_summary

__all__ = [
    "two_by_two",
    "spss_ttest",
    "ttest_from_summary",
    "wilson_interval",
    "clopper_pearson_interval",
    "holm",
    "mann_whitney",
    "bootstrap_mean_difference",
    "resample_batch",
    "n_per_group_two_proportions",
    "power_two_proportions",
    "simulated_power_chi2",
    "SAMPLE_SIZE_METHODS",
]
