"""Synthetic social activity with planted coordination: the FIMI desk's labelled test bed.

``generate`` draws, from one seed, posts by accounts over some days, most of them organic
noise and a few per cent from planted groups, with the ground truth beside them:

- organic: sentences of 12-35 made-up words drawn Zipf-like from a 20,000-word vocabulary
  per language (English, Russian, Korean, German, Japanese), so common words recur but no
  two posts are near-duplicates; times follow a daily rhythm; about 30 % share one of
  2,000 popular links (Zipf-like, so unrelated accounts share a link within a minute by
  chance); some reply to or repost popular posts; accounts post at heavy-tailed rates;
- planted, in bursts repeated over the days (members within seconds to two minutes):
  *copypasta* (a template posted with 1-3 light edits), *link_ring* (each burst shares a
  new article of the ring's own site, texts differ), *repost_ring* (members repost an
  outside account's post within seconds), *cross_language* (one of eight hand-written
  claims posted in English, Russian, Korean, German and Japanese, and reposted across
  languages); a few lone organic posts state a claim too.

``copies`` is the near-duplicate truth (original posts only: a repost is a rebroadcast,
known by ``repost_of``); ``claims`` the cross-lingual truth. ``write`` saves the posts with
the ingest's column names, so ``accord fimi ingest`` reads the same posts back.

Modules: :mod:`.generator` (``generate`` and the plan of groups), :mod:`.activity` (what it
returns; ``write``), :mod:`.accounts`, :mod:`.planted` (each kind's bursts) with
:mod:`.copies` (templates and their edits, claims as stated), :mod:`.organic` (the noise),
:mod:`.draft` (posts as drawn, then the table), and the tables and draws they share:
:mod:`.vocabulary` (languages, made-up words, sentences), :mod:`.links`, :mod:`.rhythm`
(times) and :mod:`.claims`.
"""

from __future__ import annotations

from accord.desks.fimi.synthetic.activity import PlantedGroup, Synthetic, write
from accord.desks.fimi.synthetic.claims import CLAIMS, HASHTAGS
from accord.desks.fimi.synthetic.generator import generate
from accord.desks.fimi.synthetic.planted import KINDS
from accord.desks.fimi.synthetic.vocabulary import LANGUAGES

__all__ = [
    "CLAIMS",
    "HASHTAGS",
    "KINDS",
    "LANGUAGES",
    "PlantedGroup",
    "Synthetic",
    "generate",
    "write",
]
