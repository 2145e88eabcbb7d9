#!/usr/bin/env python3
"""Checks a deployed repository against what Maven Central requires of every module.

Usage: check-central.py REPO [--gnupghome DIR]

For each artifact directory under REPO/io/github/ablation-sdk/:
  - a POM whose effective metadata (its own, or inherited from its parent POM in REPO, as
    Central resolves it) has name, description, url, a licence (name and url), SCM (url and
    connection) and a developer;
  - for jar packaging: the main jar, a -sources jar and a -javadoc jar;
  - for every deployed file: an .asc signature that verifies (with --gnupghome), and .md5 and
    .sha1 checksums that match.
Also: ablation-examples (a program, not a library) must not be deployed, and the modules a
user needs must be. Prints one line per problem and exits 1 if there are any.
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

GROUP = "io/github/ablation-sdk"
NS = {"m": "http://maven.apache.org/POM/4.0.0"}
REQUIRED_MODULES = ["ablation-parent", "ablation-bom", "ablation-api", "ablation-samediff",
                    "ablation-study", "ablation-study-samediff", "ablation-cli"]
NOT_DEPLOYED = ["ablation-examples"]
SIGNED_SUFFIXES = (".pom", ".jar")


def text(root, path):
    el = root.find(path, NS)
    return el.text.strip() if el is not None and el.text and el.text.strip() else None


def newest(files, suffix):
    """The newest deployed file of a kind (snapshots deploy timestamped names)."""
    matching = sorted(f for f in files if f.endswith(suffix))
    return matching[-1] if matching else None


def load_pom(repo, artifact):
    d = os.path.join(repo, GROUP, artifact)
    if not os.path.isdir(d):
        return None, None
    versions = sorted(v for v in os.listdir(d) if os.path.isdir(os.path.join(d, v)))
    vdir = os.path.join(d, versions[-1])
    files = os.listdir(vdir)
    pom = newest([f for f in files if re.fullmatch(r".*\.pom", f)], ".pom")
    if pom is None:
        return vdir, None
    try:
        return vdir, ET.parse(os.path.join(vdir, pom)).getroot()
    except ET.ParseError:
        return vdir, None


def effective(repo, root, field):
    """A metadata field from the POM or, as Central resolves it, from its parent chain."""
    while root is not None:
        value = field(root)
        if value:
            return value
        parent = root.find("m:parent", NS)
        if parent is None:
            return None
        _, root = load_pom(repo, text(parent, "m:artifactId"))
    return None


FIELDS = {
    "name": lambda r: text(r, "m:name"),
    "description": lambda r: text(r, "m:description"),
    "url": lambda r: text(r, "m:url"),
    "licence name": lambda r: text(r, "m:licenses/m:license/m:name"),
    "licence url": lambda r: text(r, "m:licenses/m:license/m:url"),
    "scm url": lambda r: text(r, "m:scm/m:url"),
    "scm connection": lambda r: text(r, "m:scm/m:connection"),
    "developer": lambda r: text(r, "m:developers/m:developer/m:name")
    or text(r, "m:developers/m:developer/m:id"),
}


def digest(path, algo):
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check(repo, gnupghome):
    problems = []
    base = os.path.join(repo, GROUP)
    if not os.path.isdir(base):
        return [f"nothing deployed under {base}"]
    deployed = sorted(os.listdir(base))
    for a in REQUIRED_MODULES:
        if a not in deployed:
            problems.append(f"{a}: not deployed")
    for a in NOT_DEPLOYED:
        if a in deployed:
            problems.append(f"{a}: deployed, but it is a program, not a library")
    for artifact in deployed:
        vdir, root = load_pom(repo, artifact)
        if root is None:
            problems.append(f"{artifact}: no readable POM")
            continue
        for label, field in FIELDS.items():
            if not effective(repo, root, field):
                problems.append(f"{artifact}: POM has no {label}")
        files = os.listdir(vdir)
        packaging = text(root, "m:packaging") or "jar"
        if packaging == "jar":
            for kind, pattern in [("main jar", r".*-\d+(\.\d+)*(-SNAPSHOT|-\d{8}\.\d{6}-\d+)?\.jar"),
                                  ("sources jar", r".*-sources\.jar"),
                                  ("javadoc jar", r".*-javadoc\.jar")]:
                if not any(re.fullmatch(pattern, f) for f in files):
                    problems.append(f"{artifact}: no {kind}")
        for f in sorted(files):
            if not f.endswith(SIGNED_SUFFIXES):
                continue
            path = os.path.join(vdir, f)
            asc = path + ".asc"
            if not os.path.exists(asc):
                problems.append(f"{artifact}: {f} has no .asc signature")
            elif gnupghome:
                env = dict(os.environ, GNUPGHOME=gnupghome)
                r = subprocess.run(["gpg", "--batch", "--verify", asc, path], env=env,
                                   capture_output=True)
                if r.returncode != 0:
                    problems.append(f"{artifact}: {f}.asc does not verify")
            for algo in ("md5", "sha1"):
                sum_file = f"{path}.{algo}"
                if not os.path.exists(sum_file):
                    problems.append(f"{artifact}: {f} has no .{algo}")
                    continue
                with open(sum_file, encoding="ascii") as s:
                    want = s.read().split()[0].strip().lower()
                if want != digest(path, algo):
                    problems.append(f"{artifact}: {f}.{algo} does not match")
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("repo")
    p.add_argument("--gnupghome", help="verify signatures with the keys of this GnuPG home")
    args = p.parse_args()
    problems = check(args.repo, args.gnupghome)
    for line in problems:
        print("central: " + line)
    modules = sorted(os.listdir(os.path.join(args.repo, GROUP))) if os.path.isdir(
        os.path.join(args.repo, GROUP)) else []
    if problems:
        print(f"central: {len(problems)} problem(s) in {len(modules)} module(s)")
        sys.exit(1)
    print(f"central: OK, {len(modules)} modules: {', '.join(modules)}")


if __name__ == "__main__":
    main()
