#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the Flatpak manifest against Peerscope's packaging rules and prints TAP.
#
#   test-flatpak-manifest.py MANIFEST
#   test-flatpak-manifest.py --flatpak-builder PATH MANIFEST
#
# The second form runs `flatpak-builder --show-manifest`, which parses the manifest with
# flatpak-builder's own types and only warns on unknown keys; any warning fails the test.
# Exits non-zero when any check fails. Standard library only.

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

APP_ID = 'io.github.peerscope.Peerscope'
COMMAND = 'peerscope'
RUNTIME = 'org.gnome.Platform'
SDK = 'org.gnome.Sdk'
MIN_RUNTIME_VERSION = 47
APP_MODULE = 'peerscope'
REQUIRED_FINISH_ARGS = [
  '--share=network',
  '--socket=wayland',
  '--socket=fallback-x11',
  '--device=dri',
]
FORBIDDEN_FILESYSTEMS = {'host', 'host-os', 'host-etc', 'home', '~', '/'}
SHA256_RE = re.compile(r'^[0-9a-f]{64}$')
COMMIT_RE = re.compile(r'^[0-9a-f]{40}$')


class Tap:
  def __init__(self):
    self.count = 0
    self.failed = 0

  def check(self, ok, description, diagnostics=()):
    self.count += 1
    if not ok:
      self.failed += 1
    print('%s %d - %s' % ('ok' if ok else 'not ok', self.count, description))
    if not ok:
      for line in diagnostics:
        if line.strip():
          print('# ' + line)
    return ok

  def finish(self):
    print('1..%d' % self.count)
    return 1 if self.failed else 0


def load_json(path):
  with open(path, encoding='utf-8') as f:
    return json.load(f)


def iter_modules(modules, base_dir, problems):
  """Yields (module, base_dir) for every module, nested and included ones too."""
  for module in modules or []:
    if isinstance(module, str):
      path = os.path.join(base_dir, module)
      try:
        module = load_json(path)
      except (OSError, ValueError) as e:
        problems.append('module file %s cannot be read: %s' % (module, e))
        continue
      yield from iter_modules([module], os.path.dirname(path), problems)
      continue
    if not isinstance(module, dict):
      problems.append('module entry is neither an object nor a file name: %r' % (module,))
      continue
    yield module, base_dir
    yield from iter_modules(module.get('modules'), base_dir, problems)


def iter_sources(sources, base_dir, problems):
  for source in sources or []:
    if isinstance(source, str):
      path = os.path.join(base_dir, source)
      try:
        included = load_json(path)
      except (OSError, ValueError) as e:
        problems.append('source file %s cannot be read: %s' % (source, e))
        continue
      if isinstance(included, dict):
        included = [included]
      yield from iter_sources(included, os.path.dirname(path), problems)
      continue
    yield source, base_dir


def source_problem(source, base_dir):
  """Returns why a source is not pinned, or None when it is."""
  if not isinstance(source, dict):
    return 'source is not an object: %r' % (source,)
  kind = source.get('type')
  where = source.get('url') or source.get('path') or '(inline)'
  if kind in ('archive', 'file'):
    if 'url' in source or 'mirror-urls' in source:
      if not SHA256_RE.match(str(source.get('sha256', ''))):
        return '%s source %s has no sha256' % (kind, where)
    elif 'path' not in source:
      return '%s source has neither url nor path' % kind
    elif os.path.isabs(source['path']):
      return '%s source %s is not relative to the manifest' % (kind, where)
    return None
  if kind == 'git':
    if 'url' in source and not COMMIT_RE.match(str(source.get('commit', ''))):
      return 'git source %s has no full commit hash' % where
    if 'path' in source and 'url' not in source and os.path.isabs(source['path']):
      return 'git source %s is not relative to the manifest' % where
    return None
  if kind == 'dir':
    path = source.get('path')
    if not path or 'url' in source:
      return 'dir source must have a local path and no url'
    if os.path.isabs(path):
      return 'dir source %s is not relative to the manifest' % path
    if not os.path.isdir(os.path.join(base_dir, path)):
      return 'dir source %s does not exist' % path
    return None
  if kind == 'patch':
    paths = source.get('paths', []) + ([source['path']] if 'path' in source else [])
    if not paths or any(os.path.isabs(p) for p in paths):
      return 'patch source must name relative local paths'
    return None
  if kind in ('script', 'shell', 'inline', 'extra-data'):
    if kind == 'extra-data' and not SHA256_RE.match(str(source.get('sha256', ''))):
      return 'extra-data source %s has no sha256' % where
    return None
  if kind in ('svn', 'bzr'):
    if not source.get('revision'):
      return '%s source %s has no revision' % (kind, where)
    return None
  return 'source of unknown type %r: %s' % (kind, where)


def forbidden_finish_arg(arg):
  if arg.startswith('--filesystem='):
    value = arg.split('=', 1)[1]
    name = value.rsplit(':', 1)[0] if value.endswith((':ro', ':rw', ':create')) else value
    if name in FORBIDDEN_FILESYSTEMS or name.startswith('~/') or name.startswith('/'):
      return 'host file system access'
  if arg in ('--socket=system-bus', '--socket=session-bus'):
    return 'whole bus access'
  if arg.startswith('--system-talk-name=') or arg.startswith('--system-own-name='):
    if '*' in arg:
      return 'wildcard name on the system bus'
  if arg.startswith('--talk-name=org.freedesktop.Flatpak'):
    return 'sandbox escape through org.freedesktop.Flatpak'
  if arg == '--device=all':
    return 'access to all devices'
  return None


def check_manifest(tap, path):
  try:
    manifest = load_json(path)
    parsed = isinstance(manifest, dict)
    error = 'top level is not an object'
  except (OSError, ValueError) as e:
    parsed, error = False, str(e)
  if not tap.check(parsed, 'manifest parses as JSON', [error]):
    return
  base_dir = os.path.dirname(os.path.abspath(path))

  app_id = manifest.get('id', manifest.get('app-id'))
  tap.check(app_id == APP_ID, 'id is ' + APP_ID, ['got %r' % (app_id,)])
  tap.check(manifest.get('command') == COMMAND, 'command is ' + COMMAND,
            ['got %r' % (manifest.get('command'),)])
  tap.check(manifest.get('runtime') == RUNTIME, 'runtime is ' + RUNTIME,
            ['got %r' % (manifest.get('runtime'),)])
  version = str(manifest.get('runtime-version', ''))
  tap.check(version.isdigit() and int(version) >= MIN_RUNTIME_VERSION,
            'runtime-version is %d or newer' % MIN_RUNTIME_VERSION, ['got %r' % (version,)])
  tap.check(manifest.get('sdk') == SDK, 'sdk is ' + SDK, ['got %r' % (manifest.get('sdk'),)])

  finish_args = manifest.get('finish-args', [])
  for arg in REQUIRED_FINISH_ARGS:
    tap.check(arg in finish_args, 'finish-args has ' + arg)
  bad = ['%s (%s)' % (a, forbidden_finish_arg(a)) for a in finish_args if forbidden_finish_arg(a)]
  tap.check(not bad, 'finish-args grant no host files, whole buses or bus wildcards', bad)

  problems = []
  modules = list(iter_modules(manifest.get('modules'), base_dir, problems))
  unpinned = list(problems)
  for module, module_dir in modules:
    sources = list(iter_sources(module.get('sources'), module_dir, unpinned))
    if not sources:
      unpinned.append('module %s has no sources' % module.get('name'))
    for source, source_dir in sources:
      problem = source_problem(source, source_dir)
      if problem:
        unpinned.append('module %s: %s' % (module.get('name'), problem))
  tap.check(modules and not unpinned, 'every source of every module is pinned',
            unpinned or ['no modules'])

  names = [m.get('name') for m, _ in modules]
  top_names = [m.get('name') if isinstance(m, dict) else m for m in manifest.get('modules', [])]
  has_both = 'libnice' in names and APP_MODULE in names
  tap.check(has_both and names.index('libnice') < names.index(APP_MODULE),
            'libnice is built before ' + APP_MODULE, ['module order: %r' % (names,)])
  tap.check(bool(top_names) and top_names[-1] == APP_MODULE,
            APP_MODULE + ' is the last module', ['module order: %r' % (top_names,)])

  app = next((m for m, _ in modules if m.get('name') == APP_MODULE), {})
  tap.check(app.get('buildsystem') == 'meson', APP_MODULE + ' builds with meson',
            ['buildsystem: %r' % (app.get('buildsystem'),)])
  tap.check(app.get('builddir') is True, APP_MODULE + ' uses builddir: true',
            ['builddir: %r' % (app.get('builddir'),)])
  opts = app.get('config-opts', [])
  for opt in ('-Dprofile=default', '-Demulator=disabled'):
    tap.check(opt in opts, APP_MODULE + ' is configured with ' + opt, ['config-opts: %r' % opts])


def check_flatpak_builder(tap, flatpak_builder, path):
  # flatpak-builder creates a .flatpak-builder state directory in its working directory even
  # for --show-manifest, so it runs in a temporary one.
  try:
    with tempfile.TemporaryDirectory(prefix='peerscope-flatpak-') as workdir:
      proc = subprocess.run([flatpak_builder, '--show-manifest', os.path.abspath(path)],
                            cwd=workdir, capture_output=True, text=True, timeout=120)
  except (OSError, subprocess.TimeoutExpired) as e:
    tap.check(False, 'flatpak-builder --show-manifest runs', [str(e)])
    return
  tap.check(proc.returncode == 0, 'flatpak-builder --show-manifest succeeds',
            ['exit status %d' % proc.returncode] + proc.stderr.splitlines())
  tap.check(not proc.stderr.strip(), 'flatpak-builder --show-manifest prints no warning',
            proc.stderr.splitlines())
  try:
    shown = json.loads(proc.stdout)
    shown_id = shown.get('id', shown.get('app-id'))
  except ValueError as e:
    shown_id = 'unparsable output: %s' % e
  tap.check(shown_id == APP_ID, 'flatpak-builder reads id ' + APP_ID, ['got %r' % (shown_id,)])


def main():
  parser = argparse.ArgumentParser(description=__doc__)
  parser.add_argument('--flatpak-builder', metavar='PATH',
                      help='run PATH --show-manifest instead of the rule checks')
  parser.add_argument('manifest')
  args = parser.parse_args()

  tap = Tap()
  if args.flatpak_builder:
    check_flatpak_builder(tap, args.flatpak_builder, args.manifest)
  else:
    check_manifest(tap, args.manifest)
  return tap.finish()


if __name__ == '__main__':
  sys.exit(main())
