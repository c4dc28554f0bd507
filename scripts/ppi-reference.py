"""Prints ppi_py's PPI++ point estimate and 95% interval of a mean, for judge-review's tests.

Usage: ppi-reference.py LABELLED.csv UNLABELLED.csv
LABELLED.csv has columns y,f (human truth, judge prediction, 0/1); UNLABELLED.csv has column f.
Prints: point ci_low ci_high
"""
import sys

import numpy as np
from ppi_py import ppi_mean_ci, ppi_mean_pointestimate

labelled = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2)
unlabelled = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, ndmin=1)
y, f = labelled[:, 0], labelled[:, 1]
point = ppi_mean_pointestimate(y, f, unlabelled)
low, high = ppi_mean_ci(y, f, unlabelled, alpha=0.05)
print(f"{float(np.ravel(point)[0]):.12f} {float(np.ravel(low)[0]):.12f} {float(np.ravel(high)[0]):.12f}")
