"""scikit-learn PCA references for LossLandscape's trajectory PCA, as the paper's code computes them:
rows = θ_i − θ_ref (float32), sklearn.decomposition.PCA(n_components=2).fit(rows) (which
mean-centres), projections x_i = <row_i, pc1>/|pc1| (rows NOT centred), likewise y.
Run with Debian's packages: /usr/bin/python3 make_pca_reference.py  (python3-sklearn, python3-numpy)."""
import json
import os

import numpy as np
from sklearn.decomposition import PCA

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(0)


def case(name, rows):
    rows = np.asarray(rows, dtype=np.float32)
    pca = PCA(n_components=2).fit(rows)
    pcs = pca.components_
    x = rows @ pcs[0] / np.linalg.norm(pcs[0])
    y = rows @ pcs[1] / np.linalg.norm(pcs[1])
    return {
        "name": name,
        "rows": rows.tolist(),
        "ratio": pca.explained_variance_ratio_.tolist(),
        "singular_values": pca.singular_values_.tolist(),
        "components": pcs.tolist(),
        "x": x.tolist(),
        "y": y.tolist(),
    }


# A noisy descent: a drifting random walk ending at the reference (last row is zero).
steps = np.cumsum(rng.randn(12, 40) * 0.1 + np.linspace(1, 0, 12)[:, None] * rng.randn(1, 40), axis=0)
walk = steps - steps[-1]
# Points on a known plane: a·u + b·v with orthonormal u, v; a and b of different spread.
u, v = np.linalg.qr(rng.randn(30, 2))[0].T
a = np.array([4.0, 3.0, 2.0, 1.5, 1.0, 0.5, 0.0, -0.5])
b = np.array([1.0, -1.0, 0.5, -0.5, 0.25, -0.25, 0.0, 0.1])
plane = np.outer(a, u) + np.outer(b, v)
cases = [case("random_walk", walk), case("plane", plane)]
with open(os.path.join(HERE, "pca_reference.json"), "w") as f:
    json.dump(cases, f)
