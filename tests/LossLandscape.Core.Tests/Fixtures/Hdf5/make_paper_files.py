"""Fixtures in the exact HDF5 layout of the paper's code (tomgoldstein/loss-landscape), and a
checker for files written by our C# writer.

    /usr/bin/python3 make_paper_files.py            # regenerate the committed paper_*.h5 fixtures
    /usr/bin/python3 make_paper_files.py verify DIR # check surface_2d.h5, surface_1d.h5, directions_2d.h5
                                                    # written by Hdf5PaperLayoutTests into DIR
                                                    # (LOSSLANDSCAPE_HDF5_EXPORT_DIR=DIR dotnet test ...)

Every value comes from the formulas below, which Hdf5PaperLayoutTests repeats in C#. All of them
are exact in binary floating point, so both sides agree bit for bit.
"""
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DIR_FILE = "resnet56_sgd_lr=0.1.t7_weights_xignore=biasbn_xnorm=filter_yignore=biasbn_ynorm=filter.h5"

# A non-square 2D grid: 5 x-points, 3 y-points.
X_2D = np.linspace(-1, 1, num=5)
Y_2D = np.linspace(-0.5, 0.5, num=3)
# 1D grid.
X_1D = np.linspace(-1.5, 1.5, num=7)

# A BatchNorm "states" direction, 13 tensors so that '10' … '12' would sort before '2' lexicographically.
TENSOR_SHAPES = [(4, 2, 3, 3), (4,), (4,), (4,), (4,), (4,), (), (3, 4, 1, 1), (3,), (5, 3), (5,), (2, 5), (2,)]
INT64_TENSOR = 6  # num_batches_tracked: a 0-d int64 in PyTorch


def loss_2d(x, y): return 20 + x + 10 * y + 0.125 * x * x
def acc_2d(x, y): return 50 + 4 * x + 20 * y
def loss_1d(x): return 2 + x + 0.25 * x * x
def acc_1d(x): return 90 - 5 * x
def direction_value(axis, tensor, flat_index):
    value = (tensor + 1) * 100 + 0.5 * flat_index
    return value if axis == "x" else -value


def write_paper_surface_2d(path):
    # As plot_surface.setup_surface_file + crunch: arrays created with shape (len(x), len(y)),
    # initialised to -1, filled through ravel() in meshgrid(x, y) order. The last cell stays -1.
    with h5py.File(path, "w") as f:
        f["dir_file"] = DIR_FILE
        f["xcoordinates"] = X_2D
        f["ycoordinates"] = Y_2D
        shape = (len(X_2D), len(Y_2D))
        losses, accuracies = -np.ones(shape=shape), -np.ones(shape=shape)
        xs, ys = np.meshgrid(X_2D, Y_2D)
        for ind in range(losses.size - 1):
            losses.ravel()[ind] = loss_2d(xs.ravel()[ind], ys.ravel()[ind])
            accuracies.ravel()[ind] = acc_2d(xs.ravel()[ind], ys.ravel()[ind])
        f["train_loss"] = losses
        f["train_acc"] = accuracies


def write_paper_surface_1d(path):
    with h5py.File(path, "w") as f:
        f["dir_file"] = DIR_FILE
        f["xcoordinates"] = X_1D
        f["train_loss"] = np.array([loss_1d(x) for x in X_1D])
        f["train_acc"] = np.array([acc_1d(x) for x in X_1D])
        f["test_loss"] = np.array([loss_1d(x) + 0.5 for x in X_1D])
        f["test_acc"] = np.array([acc_1d(x) - 1 for x in X_1D])


def direction_tensor(axis, tensor, shape):
    count = int(np.prod(shape, dtype=np.int64))
    values = np.array([direction_value(axis, tensor, k) for k in range(count)])
    if tensor == INT64_TENSOR:
        return values.astype(np.int64).reshape(shape)
    return values.astype(np.float32).reshape(shape)


def write_paper_directions_2d(path):
    # As net_plotter.setup_direction / h5_util.write_list: one group per axis, datasets str(i).
    with h5py.File(path, "w") as f:
        for axis in ("x", "y"):
            group = f.create_group(axis + "direction")
            for i, shape in enumerate(TENSOR_SHAPES):
                group.create_dataset(str(i), data=direction_tensor(axis, i, shape))


def generate():
    write_paper_surface_2d(os.path.join(HERE, "paper_surface_2d.h5"))
    write_paper_surface_1d(os.path.join(HERE, "paper_surface_1d.h5"))
    write_paper_directions_2d(os.path.join(HERE, "paper_directions_2d.h5"))


def expect(condition, message):
    if not condition:
        raise AssertionError(message)
    print("ok  ", message)


def verify(folder):
    with h5py.File(os.path.join(folder, "surface_2d.h5"), "r") as f:
        x, y = f["xcoordinates"][()], f["ycoordinates"][()]
        expect(f["xcoordinates"].dtype == np.float64 and np.array_equal(x, X_2D), "2D xcoordinates float64, paper values")
        expect(f["ycoordinates"].dtype == np.float64 and np.array_equal(y, Y_2D), "2D ycoordinates float64, paper values")
        for name, formula in (("train_loss", loss_2d), ("train_acc", acc_2d)):
            data = f[name][()]
            expect(f[name].dtype == np.float64 and data.shape == (len(y), len(x)), f"{name} float64 with shape (len(y), len(x)) = {data.shape}")
            # The last cell is not computed: our files hold NaN there.
            expect(all(data[i, j] == formula(x[j], y[i]) for i in range(len(y)) for j in range(len(x)) if (i, j) != (len(y) - 1, len(x) - 1)),
                   f"{name}[i, j] is the value at (x[j], y[i])")
            expect(np.isnan(data[-1, -1]), f"{name} holds NaN in the cell not computed")
            # The paper's plot_2D: X, Y = meshgrid(x, y); contour(X, Y, Z) pairs Z[i, j] with (X[i, j], Y[i, j]).
            mesh_x, mesh_y = np.meshgrid(x, y)
            expected = formula(mesh_x, mesh_y)
            expected[-1, -1] = np.nan
            expect(np.array_equal(data, expected, equal_nan=True), f"{name} lines up with meshgrid(x, y) as plot_2D uses it")
        computed = f["computed"][()]
        expect(f["computed"].dtype == np.uint8 and computed.shape == (len(y), len(x)), "computed uint8 with the grid's shape")
        expected = np.ones((len(y), len(x)), dtype=np.uint8)
        expected[-1, -1] = 0
        expect(np.array_equal(computed, expected), "computed is 1 everywhere but the last cell")
        expect(f["dir_file"][()].decode("utf-8") == DIR_FILE, "dir_file string")
        expect(dict(f.attrs) == {"losslandscape_metadata": '{"kind":"surface","note":"ü"}', "z_second": "two"},
               f"root attributes {dict(f.attrs)}")
        expect(sorted(f.keys()) == ["computed", "dir_file", "train_acc", "train_loss", "xcoordinates", "ycoordinates"],
               f"datasets {sorted(f.keys())}")

    with h5py.File(os.path.join(folder, "surface_1d.h5"), "r") as f:
        x = f["xcoordinates"][()]
        expect(np.array_equal(x, X_1D) and "ycoordinates" not in f, "1D xcoordinates, no ycoordinates")
        expect(f["train_loss"].shape == (len(x),) and np.array_equal(f["train_loss"][()], loss_1d(x)), "1D train_loss shape (len(x),)")
        expect(f["computed"].shape == (len(x),) and f["computed"].dtype == np.uint8, "1D computed uint8")
        expect(f["dir_file"][()].decode("utf-8") == "", "1D dir_file is an empty string")

    with h5py.File(os.path.join(folder, "directions_2d.h5"), "r") as f:
        for axis in ("x", "y"):
            group = f[axis + "direction"]
            expect(sorted(group.keys(), key=int) == [str(i) for i in range(len(TENSOR_SHAPES))], f"{axis}direction datasets 0..{len(TENSOR_SHAPES) - 1}")
            # read_list in the paper's h5_util: [np.array(grp[str(i)]) for i in range(len(grp))]
            tensors = [np.array(group[str(i)]) for i in range(len(group))]
            expect(all(t.dtype == np.float32 for t in tensors), f"{axis}direction tensors are float32")
            expect([t.shape for t in tensors] == TENSOR_SHAPES, f"{axis}direction shapes {[t.shape for t in tensors]}")
            expect(all(np.array_equal(t, direction_tensor(axis, i, TENSOR_SHAPES[i]).astype(np.float32)) for i, t in enumerate(tensors)),
                   f"{axis}direction values")
        expect(dict(f.attrs) == {"losslandscape_metadata": '{"kind":"directions"}'}, f"root attributes {dict(f.attrs)}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "verify":
        verify(sys.argv[2])
    elif len(sys.argv) == 1:
        generate()
    else:
        sys.exit(__doc__)
