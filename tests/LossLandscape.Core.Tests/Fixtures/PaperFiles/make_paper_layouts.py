"""Fixtures in the file layouts of the paper's code (tomgoldstein/loss-landscape), written with the
same h5py calls as its writers, for the zoo's DigitsCnn and Mlp (shapes from ../Models/model_names.json,
which lists the C# models' PyTorch-identical state_dict and named_parameters).

    /usr/bin/python3 make_paper_layouts.py                  # regenerate the fixtures in this folder
    /usr/bin/python3 make_paper_layouts.py verify FILE.h5   # check a ResNet-20 direction file written by
                                                            # DirectionStore.Write against resnet20_paper_layout.json

Fixtures:
  digits_states.h5         net_plotter.setup_direction, --dir_type states: xdirection/ydirection, one dataset
                           per state_dict() entry (num_batches_tracked: int64 0-d in x, as a target
                           direction v2 - v1 gives; float32 0-d in y, as a random direction torch.randn gives)
  digits_weights.h5        --dir_type weights, 1D (xdirection only): one dataset per net.parameters() entry
  digits_states_bad.h5     a truncated states file whose dataset '7' (bn2.weight, (32,)) has shape (31,)
  mlp_pca_directions.h5    projection.setup_PCA_directions: write_list x/y + explained_variance_ratio_,
                           singular_values_, explained_variance_ (float32, as scikit-learn gives for float32 data)
  mlp_pca_directions.h5_proj_cos.h5   projection.project_trajectory: proj_xcoord, proj_ycoord (float64)
  hessian_surface.h5       plot_surface.setup_surface_file + plot_hessian_eig.py: max_eig = -1, min_eig = +1
                           initialised with shape (len(x), len(y)), filled in meshgrid(x, y) ravel order;
                           the last two cells stay uncomputed
  resnet20_paper_layout.json  what the paper's write_list gives for ResNet-20 --dir_type weights: dataset names,
                           shapes and dtype, from net.parameters() of its ResNet-20

Every value comes from the formulas below, which PaperFileFormulas.cs repeats in C#; all are exact in float32.
"""
import json
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = json.load(open(os.path.join(HERE, "..", "Models", "model_names.json")))

PCA_RATIOS = [0.75, 0.125]
PCA_SINGULAR = [3.0, 1.5]
PCA_SAMPLES = 5
PCA_X = [-2.5, -1.25, 0.0, 0.5, 0.0]
PCA_Y = [0.75, -0.5, 0.25, -0.125, 0.0]

HESSIAN_X = np.linspace(-1, 1, num=5)
HESSIAN_Y = np.linspace(-0.5, 0.5, num=3)
HESSIAN_UNCOMPUTED = 2  # the last cells in crunch order


def direction_value(axis, tensor, flat_index):
    value = (tensor + 1) * 100 + 0.5 * flat_index
    return value if axis == "x" else -value


def pca_value(axis, tensor, flat_index):
    value = (tensor + 1) * 0.25 + (flat_index % 7) * 0.125
    return value if axis == "x" else -value


def max_eig(x, y): return 8 + 2 * x + 4 * y
def min_eig(x, y): return -(1 + 0.5 * x) + y


def states(model): return [(name, tuple(shape)) for name, shape in MODELS[model]["state_dict"]]


def parameters(model):
    shapes = dict(states(model))
    return [(name, shapes[name]) for name in MODELS[model]["named_parameters"]]


def tensor(formula, axis, index, shape, dtype=np.float32):
    count = int(np.prod(shape, dtype=np.int64))
    return np.array([formula(axis, index, k) for k in range(count)]).astype(dtype).reshape(shape)


def write_list(f, name, direction):
    # As h5_util.write_list: a group, one dataset per tensor named str(i), data the tensor's numpy array.
    grp = f.create_group(name)
    for i, l in enumerate(direction):
        grp.create_dataset(str(i), data=l)


def states_direction(axis, entries):
    result = []
    for i, (name, shape) in enumerate(entries):
        if name.endswith("num_batches_tracked"):
            result.append(tensor(direction_value, axis, i, shape, np.int64 if axis == "x" else np.float32))
        else:
            result.append(tensor(direction_value, axis, i, shape))
    return result


def write_states(path):
    entries = states("DigitsCnn")
    f = h5py.File(path, "w")
    write_list(f, "xdirection", states_direction("x", entries))
    write_list(f, "ydirection", states_direction("y", entries))
    f.close()


def write_weights(path):
    f = h5py.File(path, "w")
    write_list(f, "xdirection", [tensor(direction_value, "x", i, shape) for i, (_, shape) in enumerate(parameters("DigitsCnn"))])
    f.close()


def write_states_bad(path):
    entries = states("DigitsCnn")[:9]
    entries[7] = (entries[7][0], (31,))
    f = h5py.File(path, "w")
    write_list(f, "xdirection", states_direction("x", entries))
    f.close()


def pca_direction(axis):
    # --ignore biasbn: the 1-D entries of every trajectory row are zero, so are the components'.
    return [tensor(pca_value, axis, i, shape) if len(shape) > 1 else np.zeros(shape, dtype=np.float32)
            for i, (_, shape) in enumerate(parameters("Mlp"))]


def write_pca(directions_path):
    f = h5py.File(directions_path, "w")
    write_list(f, "xdirection", pca_direction("x"))
    write_list(f, "ydirection", pca_direction("y"))
    singular = np.array(PCA_SINGULAR, dtype=np.float32)
    f["explained_variance_ratio_"] = np.array(PCA_RATIOS, dtype=np.float32)
    f["singular_values_"] = singular
    f["explained_variance_"] = singular ** 2 / (PCA_SAMPLES - 1)
    f.close()
    # project_trajectory: proj_file = dir_file + '_proj_' + proj_method + '.h5'
    f = h5py.File(directions_path + "_proj_cos.h5", "w")
    f["proj_xcoord"] = np.array(PCA_X)
    f["proj_ycoord"] = np.array(PCA_Y)
    f.close()


def write_hessian(path):
    f = h5py.File(path, "a")
    f["dir_file"] = "digits_states.h5"
    f["xcoordinates"] = HESSIAN_X
    f["ycoordinates"] = HESSIAN_Y
    shape = (len(HESSIAN_X), len(HESSIAN_Y))
    f["max_eig"] = -np.ones(shape=shape)
    f["min_eig"] = np.ones(shape=shape)
    largest, smallest = f["max_eig"][:], f["min_eig"][:]
    xs, ys = np.meshgrid(HESSIAN_X, HESSIAN_Y)
    for ind in range(largest.size - HESSIAN_UNCOMPUTED):
        largest.ravel()[ind] = max_eig(xs.ravel()[ind], ys.ravel()[ind])
        smallest.ravel()[ind] = min_eig(xs.ravel()[ind], ys.ravel()[ind])
    f["max_eig"][:] = largest
    f["min_eig"][:] = smallest
    f.close()


def resnet20_layout():
    return [{"name": str(i), "parameter": name, "shape": list(shape), "dtype": "float32"}
            for i, (name, shape) in enumerate(parameters("ResNet20"))]


def generate():
    for name in os.listdir(HERE):
        if name.endswith(".h5"):
            os.remove(os.path.join(HERE, name))
    write_states(os.path.join(HERE, "digits_states.h5"))
    write_weights(os.path.join(HERE, "digits_weights.h5"))
    write_states_bad(os.path.join(HERE, "digits_states_bad.h5"))
    write_pca(os.path.join(HERE, "mlp_pca_directions.h5"))
    write_hessian(os.path.join(HERE, "hessian_surface.h5"))
    with open(os.path.join(HERE, "resnet20_paper_layout.json"), "w") as out:
        json.dump(resnet20_layout(), out, indent=1)
        out.write("\n")


def verify(path):
    layout = resnet20_layout()
    with h5py.File(path, "r") as f:
        for axis in [k for k in ("xdirection", "ydirection") if k in f]:
            group = f[axis]
            # read_list in the paper's h5_util: [np.array(grp[str(i)]) for i in range(len(grp))]
            names = sorted(group.keys(), key=int)
            assert names == [e["name"] for e in layout], f"{axis}: names {names}"
            tensors = [np.array(group[str(i)]) for i in range(len(group))]
            for entry, t in zip(layout, tensors):
                assert list(t.shape) == entry["shape"], f"{axis}/{entry['name']}: shape {t.shape}, expected {entry['shape']}"
                assert t.dtype == np.dtype(entry["dtype"]), f"{axis}/{entry['name']}: dtype {t.dtype}"
            print(f"ok   {axis}: {len(tensors)} float32 datasets '0'..'{len(tensors) - 1}' with ResNet-20's parameter shapes")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "verify":
        verify(sys.argv[2])
    elif len(sys.argv) == 1:
        generate()
    else:
        sys.exit(__doc__)
