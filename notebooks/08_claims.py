# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · The sources' claims, one by one
#
# The other pages recompute the paper's tables. This page goes the other way: it starts
# from what the sources *say* -- each claim of the trial paper's Abstract and Discussion
# (with its methodological considerations, implications and conclusions), and the
# headline claims of the Norwegian summary of the trial (Reme 2022) -- and asks of each
# whether the printed numbers bear it out. Every claim is restated in our words in
# `data/sources/claims.csv`, with the ledger rows that bear on it, the page where it is
# checked, and one of three verdicts:
#
# * **supported by the printed numbers**: the numbers the sources print, and our checks of
#   them, agree with the claim;
# * **not checkable from what is printed**: a judgement, a cause, or something no printed
#   number measures;
# * **contradicted**: the printed numbers, or the paper's own definitions, say otherwise.
#
# The verdicts are judgements about the sources' text, made once by reading it; they do
# not change with the data in use. Each follows one rule of a written rubric
# (`data/sources/README.md`), named in the `rule` column of every table below, so that
# alike claims get alike verdicts: a word of degree ("clear", "far greater", "solid",
# "good") is not checkable whatever the direction of the numbers; a verdict that turns on
# how a Norwegian word is translated says so; numbers printed only in the Norwegian
# summary are not counted as supported by the paper's numbers; a number attached to a
# quantity the paper defines otherwise is contradicted; and a fact joined to a hedged
# cause is judged on the fact. The last section checks every number that a claim
# restates against the number it restates.

# %% [markdown]
# ```{admonition} Learning objectives
# :class: tip
#
# After this page you can:
#
# - sort a claim as supported by the printed numbers, not checkable from them, or contradicted;
# - check a restated number against the number it restates;
# - spot wording that is stronger than the results it reports.
# ```

# %% tags=["parameters"]
data_path = "data/reconstructed/ips_in_pain.csv"
alpha = 0.05

# %%
from IPython.display import Markdown

from ipsrep.analyses import claims
from ipsrep.report import ledger
from ipsrep.report.context import Banner, setup
from ipsrep.report.tables import captioned

ctx = setup(data_path)
Banner(ctx)

# %% [markdown]
# ## Verdicts at a glance

# %%
table = claims.load_claims()
captioned(claims.verdict_counts(table).pivot(index="verdict", columns="source", values="claims"),
          "Claims per verdict and source")

# %% [markdown]
# Verdicts by rule of the rubric:

# %%
captioned(claims.rule_counts(table)[["rubric_rule", "verdict", "claims"]], "Claims per rubric rule and verdict")

# %% [markdown]
# ## Contradicted
#
# Each row links to the page that discusses it and to the ledger rows that bear on it.

# %%
Markdown(claims.claims_markdown(table, "contradicted"))

# %% [markdown]
# Three of these are the Norwegian summary's. Two attach a number of the paper to a
# quantity the paper defines otherwise (the 58 analysed called the included
# participants; the 20-hour indicator worded as more than 20 hours a week), as the
# paper's own Discussion does with the historical controls' 16.5%; the third omits the
# one significant secondary result. Two further wordings of the summary are judged not
# checkable rather than contradicted: it frames the employment result more strongly
# than the paper, by a word of degree (N07), and calls fidelity acceptable with a word
# that reads as "consistently" or "generally" (N03). The summary's own words beside our
# paraphrases:

# %%
Markdown(claims.statements_markdown(["N03", "N05", "N12", "N01", "N02"]))

# %% [markdown]
# The summary also describes IPS in its own terms, titles its employment figure as the
# share in work at each time point although the rates are cumulative, names twelve job
# sectors, and is published online under a correction notice:

# %%
Markdown(claims.statements_markdown(["N11", "N13", "N14", "N15", "N09"]))

# %% [markdown]
# ## Supported by the printed numbers

# %%
Markdown(claims.claims_markdown(table, "supported_by_printed_numbers"))

# %% [markdown]
# ## Not checkable from what is printed

# %%
Markdown(claims.claims_markdown(table, "not_checkable"))

# %% [markdown]
# ## Numbers restated in the claims, checked against the paper
#
# The Abstract, the Discussion, the Introduction's description of the pilot and the
# Norwegian summary repeat numbers from the paper's Results or from the pilot paper,
# often rounded (the summary's hours and 20-hour shares are whole numbers). Each row
# below sets the paper's number under the key of the claim that restates it: the
# status is `consistent` when it rounds to the restated digits (or satisfies a bound
# such as "more than half"). These are checks of printed numbers against printed
# numbers, the same whatever data are in use.
#
# One wording differs in meaning even where the numbers agree: the summary describes
# the 20-hour indicator as working more than 20 hours a week, while the paper counts
# anyone who worked at least 20 hours in some single week.

# %%
Markdown(claims.statements_markdown(["N04"]))

# %%
values, notes = claims.cross_check_values()
ledger.emit(ledger.compare(values, notes=notes, check=True, bundled=ctx.comparison))

# %% [markdown]
# ## Printed facts with nothing to check them against
#
# Some numbers that the report should show are printed once and checked by nothing
# else: the burden figures of the Introduction, the allocation ratios, the clinic-wide
# screening of the Methodological Considerations and the pilot's background. They are
# listed in the ledger for the record, without a status, and discussed on the pages
# named in the claims table (00 for the trial, 04 for the pilot).

# %%
ledger.emit(claims.printed_only_ledger(
    ["background.pain_disability_share_max_pct", "background.pain_sick_leave_share_min_pct",
     "background.pain_sick_leave_share_max_pct", "design.ratio_early.ips", "design.ratio_early.tau",
     "design.ratio.ips", "design.ratio.tau", "limits.screening_year", "limits.screening_want_work_pct"],
    bundled=ctx.comparison))

# %% [markdown]
# ## Exercises
#
# Solutions are folded under each exercise; try first.
#
# ```{exercise}
# :label: ex-07-sort
#
# Sort these three sentences with this page's three verdicts, using only the paper's
# Table 2 (IPS higher than TAU at 6, 12 and 24 months; every p above 0.2; every odds
# ratio's interval includes 1): (a) "employment rates were higher in the IPS group at
# every follow-up"; (b) "IPS doubled the share in work at 12 months"; (c)
# "participants valued their employment specialist".
# ```
#
# ```{solution} ex-07-sort
# :class: dropdown
#
# (a) Supported by the printed numbers: the rates are higher at every follow-up. (b)
# Contradicted: the printed 12-month rates, 52.8% and 38.9%, are far from a doubling.
# (c) Not checkable: no printed number measures how participants valued anyone. (A
# word of degree such as "much greater" would also be not checkable under the rubric:
# the numbers cannot settle how much is "much".)
# ```
#
# ```{exercise}
# :label: ex-07-restate
#
# The Abstract says a rate was "more than 50%"; the Results print 52.8%. The summary
# says "about 53%". Which restatement does a check of printed numbers call
# `consistent`, and why is neither `reproduced`?
# ```
#
# ```{solution} ex-07-restate
# :class: dropdown
#
# Both are consistent: 52.8% satisfies the bound "more than 50%" and rounds to 53%.
# Neither is `reproduced`, because that word is kept for values computed from
# participant data; a check of printed numbers against each other is `consistent` or
# `inconsistent`.
# ```
