#!/usr/bin/env python3
"""Reads SwiftPM's build plan (.build/<config>.yaml) so Fuzz/run can compile a module's sources
with swiftc itself: the clang flags SwiftPM gave that module (module maps and include paths of
the C modules it sees), and the object files of every package module it depends on, directly or
not, except those named after `objects` (compiled into the fuzz binary, instrumented).
Usage: swiftpm-flags.py <plan.yaml> <Module> xcc | objects [SkippedModule...]"""
import glob
import json
import os
import re
import sys

plan_path, module, what = sys.argv[1:4]
skipped = set(sys.argv[4:]) | {"CMMSProtos", "CProtobufC"}
plan = open(plan_path, encoding="utf-8").read()
bin_dir = None


def command(name):
    """The inputs and args of module `name`'s compile command."""
    match = re.search(r'^  "C\.' + re.escape(name) + r'-[^"]*\.module":\n(.*?)(?=^  "|\Z)', plan, re.S | re.M)
    if not match:
        sys.exit(f"swiftpm-flags: no compile command for module {name} in {plan_path}")
    body = match.group(1)
    inputs = json.loads(re.search(r"^    inputs: (\[.*\])$", body, re.M).group(1))
    args = json.loads(re.search(r"^    args: (\[.*\])$", body, re.M).group(1))
    return inputs, args


def xcc(args):
    """The -Xcc pairs of a swiftc command line."""
    out = []
    for index, arg in enumerate(args):
        if arg == "-Xcc" and index + 1 < len(args) and args[index + 1] not in ("-fPIC", "-g", "-fno-omit-frame-pointer"):
            out += ["-Xcc", args[index + 1]]
    # -I pairs come as -Xcc -I -Xcc path: keep them together (already in order).
    return out


def c_module_names(args):
    names = []
    for arg in args:
        if arg.startswith("-fmodule-map-file="):
            path = arg.split("=", 1)[1]
            m = re.search(r"/([^/]+)\.build/module\.modulemap$", path) or re.search(r"/Sources/([^/]+)/include/module\.modulemap$", path)
            if m:
                names.append(m.group(1))
    return names


def closure(name, seen):
    inputs, args = command(name)
    global bin_dir
    for path in inputs:
        m = re.search(r"^(.*)/Modules/([^/]+)\.swiftmodule$", path)
        if m:
            bin_dir = m.group(1)
            dep = m.group(2)
            if dep not in seen:
                seen.add(dep)
                closure(dep, seen)
    for dep in c_module_names(args):
        seen.add(dep)
    return seen


inputs, args = command(module)
if what == "xcc":
    print("\n".join(xcc(args)))
elif what == "objects":
    deps = closure(module, set())
    if bin_dir is None:
        bin_dir = os.path.dirname(plan_path)
    objects = []
    for dep in sorted(deps):
        if dep in skipped:
            continue
        objects += sorted(glob.glob(f"{bin_dir}/{dep}.build/**/*.o", recursive=True))
    print("\n".join(objects))
else:
    sys.exit("usage: swiftpm-flags.py <plan.yaml> <Module> xcc|objects")
