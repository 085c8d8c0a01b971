#!/usr/bin/env python3
"""A stand-in for ``docker`` in the buildspec tests: the local ECR is the registry.

- ``login``: reads the password from stdin, succeeds;
- ``pull REF``: succeeds if the tag is in the local ECR, else fails like docker;
- ``build ... --tag REF ... CONTEXT``: checks the --file exists, records the tags
  (no image is built: there is no Docker daemon in the tests);
- ``push REPO:TAG``: puts a manifest into the local ECR under that tag, the same
  manifest for every tag of one build, so its tags share a digest;
- ``inspect --format '{{index .RepoDigests 0}}' REF``: prints ``REPO@DIGEST`` from ECR.

Every call is appended to $DOCKER_SHIM_STATE/calls.log (the tests read it).
"""

import hashlib
import json
import os
import sys
from pathlib import Path

import boto3

state = Path(os.environ["DOCKER_SHIM_STATE"])
state.mkdir(parents=True, exist_ok=True)
args = sys.argv[1:]
with open(state / "calls.log", "a") as log:
    log.write(json.dumps(args) + "\n")

ecr = boto3.client("ecr")


def split(ref: str) -> tuple[str, str, str]:
    repo, _, tag = ref.rpartition(":")
    return repo, repo.split("/", 1)[1], tag


def main() -> int:
    command = args[0] if args else ""
    if command == "login":
        sys.stdin.read()
        print("Login Succeeded")
        return 0
    if command == "pull":
        _, name, tag = split(args[-1])
        try:
            ecr.describe_images(repositoryName=name, imageIds=[{"imageTag": tag}])
        except ecr.exceptions.ImageNotFoundException:
            print(f"Error response from daemon: manifest for {args[-1]} not found", file=sys.stderr)
            return 1
        return 0
    if command == "build":
        tags, dockerfile, i = [], "Dockerfile", 1
        while i < len(args):
            if args[i] in ("--tag", "-t"):
                tags.append(args[i + 1])
                i += 2
            elif args[i] in ("--file", "-f"):
                dockerfile = args[i + 1]
                i += 2
            elif args[i] == "--cache-from":
                i += 2
            else:
                i += 1
        if not Path(dockerfile).is_file():
            print(f"unable to prepare context: unable to evaluate symlinks in Dockerfile path: {dockerfile}", file=sys.stderr)
            return 1
        build = hashlib.sha256(Path(dockerfile).read_bytes() + os.environ.get("CODEBUILD_RESOLVED_SOURCE_VERSION", "").encode()).hexdigest()
        (state / "build.json").write_text(json.dumps({"tags": tags, "config": build}))
        return 0
    if command == "push":
        _, name, tag = split(args[-1])
        build = json.loads((state / "build.json").read_text())
        assert args[-1] in build["tags"], f"push of {args[-1]}, which was not built"
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": f"sha256:{build['config']}"},
            # moto derives the image digest from the layers: one per build.
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1, "digest": f"sha256:{build['config']}"}],
        })
        try:
            ecr.put_image(repositoryName=name, imageTag=tag, imageManifest=manifest)
        except ecr.exceptions.ImageAlreadyExistsException:
            pass
        return 0
    if command == "inspect":
        repo, name, tag = split(args[-1])
        image = ecr.describe_images(repositoryName=name, imageIds=[{"imageTag": tag}])["imageDetails"][0]
        print(f"{repo}@{image['imageDigest']}")
        return 0
    print(f"docker shim: {command} is not supported", file=sys.stderr)
    return 1


sys.exit(main())
