#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks that every translation in po/LINGUAS is complete and up to date, and prints TAP.
#
#   test-translations.py [--po-dir DIR] SOURCE_ROOT
#
# Extracts a fresh template from the files in POTFILES.in with the same xgettext call as
# Meson's i18n.gettext(preset: 'glib') target (peerscope-pot), merges each LANG.po into it
# without fuzzy matching, as `meson compile peerscope-update-po` would, and fails a language
# when the merged catalogue has an untranslated or fuzzy message or msgfmt --check rejects
# it. Every such msgid is named in the diagnostics. A PO file that was not updated after a
# source string changed therefore fails: the new string comes out untranslated.
#
# --po-dir reads POTFILES.in, LINGUAS and the PO files from DIR instead of SOURCE_ROOT/po;
# the paths in POTFILES.in stay relative to SOURCE_ROOT. Nothing in DIR is modified.
# Exits non-zero when any check fails. Standard library and gettext tools only.

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

PACKAGE = 'peerscope'

# Meson's 'glib' preset for i18n.gettext() (mesonbuild/modules/i18n.py), in its order.
GLIB_PRESET_ARGS = [
  '--from-code=UTF-8',
  '--add-comments',
  '--keyword=_',
  '--keyword=N_',
  '--keyword=C_:1c,2',
  '--keyword=NC_:1c,2',
  '--keyword=g_dcgettext:2',
  '--keyword=g_dngettext:2,3',
  '--keyword=g_dpgettext2:2c,3',
  '--flag=N_:1:pass-c-format',
  '--flag=C_:2:pass-c-format',
  '--flag=NC_:2:pass-c-format',
  '--flag=g_dngettext:2:pass-c-format',
  '--flag=g_strdup_printf:1:c-format',
  '--flag=g_string_printf:2:c-format',
  '--flag=g_string_append_printf:2:c-format',
  '--flag=g_error_new:3:c-format',
  '--flag=g_set_error:4:c-format',
  '--flag=g_markup_printf_escaped:1:c-format',
  '--flag=g_log:3:c-format',
  '--flag=g_print:1:c-format',
  '--flag=g_printerr:1:c-format',
  '--flag=g_printf:1:c-format',
  '--flag=g_fprintf:2:c-format',
  '--flag=g_sprintf:2:c-format',
  '--flag=g_snprintf:3:c-format',
]


class Tap:
  def __init__(self):
    self.count = 0
    self.failed = 0

  def check(self, ok, description, diagnostics=()):
    self.count += 1
    if not ok:
      self.failed += 1
    print('%s %d - %s' % ('ok' if ok else 'not ok', self.count, description))
    for line in diagnostics:
      if line.strip():
        print('# ' + line)
    return ok

  def bail_out(self, reason, details=''):
    print('Bail out! ' + reason)
    for line in details.splitlines():
      if line.strip():
        print('# ' + line)
    sys.stdout.flush()
    sys.exit(1)

  def finish(self):
    print('1..%d' % self.count)
    return 1 if self.failed else 0


def read_list(path):
  """Reads POTFILES.in or LINGUAS: one entry per line, '#' starts a comment."""
  entries = []
  with open(path, encoding='utf-8') as f:
    for line in f:
      line = line.split('#', 1)[0].strip()
      if line:
        entries.extend(line.split())
  return entries


def run(tap, argv, what):
  try:
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
  except OSError as e:
    tap.bail_out('%s: cannot run %s' % (what, argv[0]), str(e))
  if proc.returncode != 0:
    tap.bail_out('%s failed (exit status %d)' % (what, proc.returncode),
                 proc.stderr + proc.stdout)
  return proc


class Entry:
  def __init__(self):
    self.flags = set()
    self.obsolete = False
    self.fields = {}  # 'msgctxt', 'msgid', 'msgid_plural', 'msgstr', 'msgstr[N]'

  def text(self, field):
    return self.fields.get(field)


FIELD_RE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
STRING_RE = re.compile(r'^"(.*)"\s*$')


def parse_po(path):
  """Minimal PO parser. Strings are kept escaped, exactly as they are written in the file."""
  entries = []
  entry = Entry()
  field = None

  def flush():
    nonlocal entry, field
    if 'msgid' in entry.fields:
      entries.append(entry)
    entry = Entry()
    field = None

  with open(path, encoding='utf-8') as f:
    for raw in f:
      line = raw.rstrip('\n')
      if not line.strip():
        flush()
        continue
      obsolete = line.startswith('#~')
      if obsolete:
        line = line[2:].lstrip()
      elif line.startswith('#'):
        if field is not None:
          flush()
        if line.startswith('#,'):
          entry.flags.update(flag.strip() for flag in line[2:].split(','))
        continue
      m = FIELD_RE.match(line)
      if m:
        name = m.group(1)
        # A new msgctxt/msgid after a msgstr starts the next entry (no blank line between).
        if name in ('msgctxt', 'msgid') and any(k.startswith('msgstr') for k in entry.fields):
          flush()
        field = name
        entry.fields[field] = m.group(2)
        entry.obsolete = entry.obsolete or obsolete
        continue
      m = STRING_RE.match(line)
      if m and field is not None:
        entry.fields[field] += m.group(1)
  flush()
  return entries


def describe(entry):
  text = '"%s"' % entry.text('msgid')
  if entry.text('msgid_plural') is not None:
    text += ' / "%s"' % entry.text('msgid_plural')
  if entry.text('msgctxt') is not None:
    text = '[%s] %s' % (entry.text('msgctxt'), text)
  return text


def is_untranslated(entry):
  translations = [v for k, v in entry.fields.items() if k.startswith('msgstr')]
  return not translations or any(v == '' for v in translations)


def make_pot(tap, xgettext, source_root, potfiles, tmpdir):
  """Same call as `meson --internal gettext pot`, with the comments filtered out."""
  missing = [p for p in potfiles if not os.path.isfile(os.path.join(source_root, p))]
  if missing:
    tap.bail_out('POTFILES.in lists files that do not exist', '\n'.join(missing))

  listfile = os.path.join(tmpdir, 'POTFILES')
  with open(listfile, 'w', encoding='utf-8') as f:
    f.write(''.join(p + '\n' for p in potfiles))

  pot = os.path.join(tmpdir, PACKAGE + '.pot')
  run(tap, [xgettext, '--package-name=' + PACKAGE, '-p', tmpdir, '-f', listfile,
            '-D', source_root, '-k_', '-o', os.path.basename(pot)] + GLIB_PRESET_ARGS,
      'xgettext')
  if not os.path.isfile(pot):
    tap.bail_out('xgettext found no translatable strings in the files of POTFILES.in')
  return pot


def check_language(tap, lang, po_dir, pot, tmpdir, msgmerge, msgfmt):
  po = os.path.join(po_dir, lang + '.po')
  if not os.path.isfile(po):
    tap.check(False, '%s: %s.po exists' % (lang, lang), ['%s is listed in LINGUAS' % lang])
    return

  merged = os.path.join(tmpdir, lang + '.po')
  run(tap, [msgmerge, '--no-fuzzy-matching', '-q', '-o', merged, po, pot],
      'msgmerge for ' + lang)

  proc = subprocess.run([msgfmt, '--check', '--statistics', '-o', os.devnull, merged],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        universal_newlines=True)
  # msgfmt prints the statistics and any --check errors on stderr.
  output = (proc.stdout + proc.stderr).replace(merged, lang + '.po (merged)')
  statistics = [l for l in output.splitlines() if 'translated message' in l]
  errors = [l for l in output.splitlines() if l not in statistics and l.strip()]

  entries = [e for e in parse_po(merged) if e.text('msgid') != '' or e.text('msgctxt')]
  current = [e for e in entries if not e.obsolete]
  fuzzy = [e for e in current if 'fuzzy' in e.flags]
  untranslated = [e for e in current if 'fuzzy' not in e.flags and is_untranslated(e)]
  obsolete = [e for e in entries if e.obsolete and not is_untranslated(e)]

  ok = proc.returncode == 0 and not fuzzy and not untranslated
  diagnostics = statistics[:]
  diagnostics += ['msgfmt: ' + l for l in errors]
  diagnostics += ['untranslated: ' + describe(e) for e in untranslated]
  diagnostics += ['fuzzy: ' + describe(e) for e in fuzzy]
  # Translations of strings that are gone from the sources only cost space; mention them.
  diagnostics += ['note: no longer in the sources (obsolete after merge): ' + describe(e)
                  for e in obsolete]

  summary = '%s: %d messages' % (lang, len(current))
  if untranslated or fuzzy:
    summary += ', %d untranslated, %d fuzzy' % (len(untranslated), len(fuzzy))
  elif proc.returncode != 0:
    summary += ', msgfmt --check fails'
  else:
    summary += ', all translated'
  tap.check(ok, summary, diagnostics)


def main():
  parser = argparse.ArgumentParser(description=__doc__)
  parser.add_argument('--po-dir', help='directory with POTFILES.in, LINGUAS and LANG.po '
                                       '(default: SOURCE_ROOT/po)')
  parser.add_argument('source_root')
  args = parser.parse_args()

  source_root = os.path.abspath(args.source_root)
  po_dir = os.path.abspath(args.po_dir or os.path.join(source_root, 'po'))

  tap = Tap()
  tools = {}
  for tool in ('xgettext', 'msgmerge', 'msgfmt'):
    tools[tool] = shutil.which(tool)
    if tools[tool] is None:
      tap.bail_out('%s not found: install the gettext tools' % tool)

  potfiles = read_list(os.path.join(po_dir, 'POTFILES.in'))
  linguas = read_list(os.path.join(po_dir, 'LINGUAS'))
  if not linguas:
    tap.bail_out('LINGUAS in %s lists no language' % po_dir)

  with tempfile.TemporaryDirectory(prefix='peerscope-po-') as tmpdir:
    pot = make_pot(tap, tools['xgettext'], source_root, potfiles, tmpdir)
    for lang in linguas:
      check_language(tap, lang, po_dir, pot, tmpdir, tools['msgmerge'], tools['msgfmt'])

  return tap.finish()


if __name__ == '__main__':
  sys.exit(main())
