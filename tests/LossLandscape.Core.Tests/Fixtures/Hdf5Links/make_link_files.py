"""Small h5py files (libhdf5's default, old-style symbol-table groups) whose links the reader must
refuse or survive before PureHDF opens them; Hdf5LinkWalkTests reads them.

    /usr/bin/python3 make_link_files.py   # regenerate the committed *.h5 here

A soft link in a symbol-table group is an entry of cache type 2; a cycle of them sends PureHDF 2.2.0
into unbounded recursion. The hard-link cycle is legal HDF5 and must only terminate. The
'latest' file has new-style groups with more links than libhdf5 keeps compact, so they are dense.
The others are legitimate layouts the walk must pass: a symbol-table group large enough for a
two-level B-tree, compact new-style groups (superblock v3, version 2 object headers with and without
creation order), and a superblock behind a 512-byte user block.
"""
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, build, **options):
    with h5py.File(os.path.join(HERE, name), "w", **options) as f:
        f["xcoordinates"] = np.linspace(-1, 1, num=3)
        build(f)


def self_cycle(f):
    f["loop"] = h5py.SoftLink("/loop")


def two_link_cycle(f):
    f["a"] = h5py.SoftLink("/b")
    f["b"] = h5py.SoftLink("/a")


def nested_soft_link(f):
    g = f.create_group("xdirection")
    g["0"] = np.zeros(2, dtype=np.float32)
    g.create_group("inner")["1"] = h5py.SoftLink("/xdirection/0")


def external_link(f):
    f["elsewhere"] = h5py.ExternalLink("other.h5", "/xcoordinates")


def hard_link_cycle(f):
    f.create_group("g")["root"] = f


def dense_groups(f):
    for i in range(40):
        f[f"d{i}"] = np.zeros(1)


def many_hard_links(f):
    for i in range(600):
        f[f"link{i:03}"] = f["xcoordinates"]


def compact_groups(f):
    g = f.create_group("xdirection")
    g["0"] = np.zeros(2, dtype=np.float32)
    g["1"] = np.zeros(3, dtype=np.float32)


def nothing(f):
    pass


write("soft_self_cycle.h5", self_cycle)
write("soft_two_link_cycle.h5", two_link_cycle)
write("soft_link_in_subgroup.h5", nested_soft_link)
write("external_link.h5", external_link)
write("hard_link_cycle.h5", hard_link_cycle)
write("dense_latest.h5", dense_groups, libver="latest")
write("pass_two_level_btree.h5", many_hard_links)
write("pass_compact_latest.h5", compact_groups, libver="latest")
write("pass_track_order.h5", compact_groups, track_order=True)
write("pass_userblock.h5", nothing, userblock_size=512)
