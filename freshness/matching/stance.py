"""Stance: does a related paper challenge the claim, support it, or only share its subject?

Read sentence by sentence, in the authors' own voice. A challenge must be *directed*: the sentence
that disagrees names what the claim is about (an anchor by id, title or short name; one of its
topics; enough of the claim's own words), or answers the sentence before it that does ("Prior work
suggests this failure is inherent. We challenge this view."). Disagreement is language aimed at a
belief or a finding ("we challenge this view", "is not an inherent failure", "conditional rather than
universal", "contrary to prior findings", "not consistently replicated"), or a finding whose
polarity is the opposite of the claim's ("X underperforms" against "X matches"); never the words
every method paper uses for its own contribution (mitigate, overcome, improve). Each kind of evidence
has a confidence (docs/matching.md section 2); independent sentences add up (noisy-or).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from freshness.matching.text import _ASCII_SPACES, _WORD, _Text
from freshness.models import Stance

# -- sentences -------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"\u201c'(\[]?[A-Z0-9$\\])")
_ABBREVIATION = re.compile(
    r"\b(?:e\.g|i\.e|et al|vs|cf|etc|fig|figs|eq|eqs|sec|approx|resp|no|al)\.\s*$", re.I
)


ABBREVIATION_TAIL = 8  # characters before a full stop that can hold an abbreviation ("et al.")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text`; "e.g.", "et al." and decimals do not end one."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text, max(start, m.start() - ABBREVIATION_TAIL), m.start() + 1):
            continue
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


# -- what each kind of sentence sounds like (matched on lower-case words joined by single spaces) -----------

# A belief or an earlier finding being stated: what a challenge answers.
_BELIEF = re.compile(
    r"\b(?:"
    r"(?:widely|commonly|generally|often|frequently|typically|usually|traditionally|conventionally|broadly"
    r"|long)"
    r" (?:been )?(?:considered|believed|assumed|thought|held|regarded|viewed|accepted|reported|claimed|seen"
    r"|cited"
    r"|attributed|described|understood|framed|portrayed)"
    r"|(?:is|are|was|were|been|be) (?:considered|believed|assumed|thought|regarded|viewed|posited|postulated"
    r"|hypothesi[sz]ed|argued|claimed|suggested|reported|touted|positioned|presented|framed|portrayed"
    r"|celebrated|attributed|purported)"
    r"|(?:prior|previous|earlier|existing|recent|past|extensive|influential|seminal|early|some) (?:work|works"
    r"|research|studies|study|literature|findings|results|evidence|analyses|papers|reports|claims)"
    r"|conventional wisdom|common (?:belief|assumption|view|wisdom|narrative)|popular (?:belief|view"
    r"|narrative)"
    r"|prevailing (?:view|belief|assumption|narrative|wisdom|explanation)|(?:a|the) (?:dominant|standard"
    r"|popular)"
    r" (?:view|explanation|narrative|account)"
    r"|hypothes[ie]s|posits?|postulat\w*|conjectur\w*|(?:the|this) (?:view|belief|assumption|notion|claim"
    r"|narrative|consensus|intuition|perception) that"
    r"|it (?:has been|is) (?:shown|argued|suggested|claimed|observed|believed|assumed|thought|reported)"
    r"|seemingly|apparently|purportedly|supposedly|allegedly"
    r"|(?:the|their|its) (?:reported|published|original|claimed|prior) (?:\w+ )?(?:estimates?|results?"
    r"|findings?|claims?|numbers|coefficients|values|conclusions?)"
    r")\b"
)

# What a challenge can be aimed at: a belief, a finding, or what is commonly held.
_BELIEF_NOUN = (
    r"(?:findings?|claims?|beliefs?|views?|assumptions?|hypothes[ie]s|notions?|ideas?|narratives?|intuitions?"
    r"|wisdom|conclusions?|results?|evidence|reports?|observations?|theor(?:y|ies)|accounts?|consensus"
    r"|explanations?|interpretations?|premises?|expectations?|perceptions?|understanding|picture|prior"
    r"|previous"
    r"|earlier|common|conventional|existing|popular|prevailing|widely|long|standard)"
)

# Explicit disagreement: the sentence says a belief or a finding is wrong, narrower, or not what it
# seemed. Verbs count only with an object that is a belief or a finding ("contradicts the reference
# answer" is a benchmark's vocabulary; "challenges such as" a problem statement).
_EXPLICIT = re.compile(
    r"\b(?:"
    r"we (?:\w+ )?(?:challenge|dispute|refute|contest|debunk|overturn|falsify|disprove)"
    r"|(?:findings|results|evidence|observations?|analysis|analyses|this|which|work|study|paper|data"
    r"|experiments)"
    r" (?:\w+ ){0,2}(?:challenge|challenges|challenged|question|questions|refute|refutes|contradict"
    r"|contradicts"
    r"|undermine|undermines|overturn|overturns|dispute|disputes|debunk|debunks|falsify|falsifies|disprove"
    r"|disproves)"
    r" (?:the |this |these |those |such |an? |their |its |some |many |several )?(?:\w+ ){0,3}?"
    + _BELIEF_NOUN
    + r"|"
    r"(?:is|are|was|were|be|been) (?:\w+ )?(?:refuted|contradicted|overturned|debunked|falsified"
    r"|disproved) by"
    r"|(?:refut|contradict|overturn|debunk|falsif|disprov)(?:e|es|ed|ing|s|y|ies|ied)? (?:the |this |these "
    r"|that "
    r"|those |an? |some |many )?(?:\w+ ){0,3}?" + _BELIEF_NOUN + r"|"
    r"cast(?:s|ing)? (?:\w+ )?doubts?|call(?:s|ing)? (?:\w+ )?into question|(?:raises?"
    r"|raising) (?:\w+ )?doubts?"
    r"|(?:contrary|counter|in (?:stark |sharp )?contrast|at odds) (?:to|with) (?:(?:the|a|many|some|several"
    r"|much|most) )?(?:(?:prior|previous|earlier|existing|past|recent|common|popular|conventional|prevailing"
    r"|widespread|widely held|standard|established|original|mainstream) )+(?:\w+ )?(?:findings?|results?"
    r"|claims?"
    r"|beliefs?|views?|assumptions?|wisdom|intuitions?|reports?|conclusions?|observations?|hypothes\w+"
    r"|expectations?|narratives?|evidence|understanding|suggestions?|accounts?)"
    r"|contrary to (?:what|expectations?|intuition|popular|common|conventional|the (?:belief|view|assumption"
    r"|hypothesis|claim|intuition|expectation|narrative|consensus))"
    r"|(?:contrary|counter) to (?:the )?(?:\w+ )?(?:hypothes\w+|claims?|findings?|conclusions?) (?:of|by|in"
    r"|from) "
    r"|(?:is|are|was|were|be|being) not (?:an? |the )?(?:inherent|fundamental|intrinsic|universal|inevitable"
    r"|necessary|insurmountable)"
    r"|(?:no|not an?) (?:inherent|fundamental|intrinsic|universal|insurmountable)"
    r"|not (?:as )?(?:inherent|fundamental|universal|inevitable|insurmountable)"
    r"|(?:is|are|was|were|be|being) (?:merely |largely |mostly |partly |partially |simply |just |primarily )?"
    r"(?:an? )?(?:artifacts?|artefacts?|illusions?|mirages?|myths?|misconceptions?|red herrings?)"
    r"|(?:the )?(?:myths?|illusions?|mirages?) of"
    r"|rather than (?:an? )?(?:inherent|fundamental|intrinsic|universal)"
    r"|(?:conditional|partial|limited|narrow|fragile|brittle|local) rather than (?:universal|general"
    r"|fundamental"
    r"|inherent|robust|global)"
    r"|alternative (?:view|explanation|account|interpretation|perspective)"
    r"|(?:does|do|did) not (?:hold|replicate|reproduce|survive|stand up)"
    r"|(?:fail|fails|failed|failing) to (?:replicate|reproduce)|(?:could|can|did) not (?:replicate|reproduce)"
    r"|no longer (?:hold|holds|true|valid|the case)"
    r"|(?:not|never|failed to be|yet to be) (?:been )?(?:consistently |reliably |always |fully "
    r"|independently )?"
    r"(?:replicated|reproduced|confirmed|corroborated)"
    r"|(?:over[- ]?stat|overclaim|exaggerat)\w*"
    r"|than (?:previously|commonly|widely|often|originally|generally|once) (?:thought|believed|assumed"
    r"|reported"
    r"|claimed|suggested|expected|understood)"
    r"|(?:cannot|can not|does not|do not|fail to|fails to) (?:fully |convincingly |adequately "
    r"|alone )?explain"
    r"|misattribut\w+|(?:common|popular|widespread|key) misconceptions?"
    r"|(?:is|are|was|were|be|being) (?:\w+ ){0,2}?inconsistent with|implausibl\w*"
    r"|(?:is|are|was|were) (?:\w+ ){0,2}?(?:flawed|mistaken|incorrect|invalid|misaligned|misspecified"
    r"|wrong)\b"
    r"|not (?:an? )?(?:accurate|reliable|valid|faithful) (?:measure|indicator|proxy|picture)"
    r")\b"
)

# Softer disagreement: narrows, qualifies or re-examines. Counts for much only as the answer to a
# stated belief.
_QUALIFY = re.compile(
    r"\b(?:"
    r"we (?:\w+ )?question|rather than (?:\w+ )?(?:genuine|true|real)"
    r"|re[- ]?examin\w*|revisit\w*|rethink\w*|reconsider\w*|reassess\w*|re[- ]?evaluat\w*"
    r"|re[- ]?investigat\w*"
    r"|not (?:always|necessarily|universally|uniformly|consistently)|(?:does|do) not (?:always|necessarily)"
    r"|only (?:holds?|applies|works|emerges?|arises?|occurs?|appears?) (?:when|under|for|in|if)"
    r"|(?:more|less) (?:nuanced|complex|complicated|robust|general|limited|fragile) than"
    r"|surprising(?:ly)?|counter[- ]?intuitive(?:ly)?|unexpected(?:ly)?"
    r"|(?:qualif\w+|caveats?|limitations?) (?:of|to) (?:prior|previous|earlier|these|the|this|such)"
    r"|(?:no|little|limited|weak|mixed|scant|insufficient) evidence"
    r"|(?:cannot|can not|could not|did not|do not|does not) (?:convincingly |fully )?(?:support|confirm)"
    r"|(?:is|are) (?:not|n t) (?:as|so) \w+"
    r"|even (?:without|in the absence of|when|simple|a single)"
    r")\b"
)

# Agreement with what came before, or the limitation restated as the authors' finding.
_AGREE = re.compile(
    r"\b(?:"
    r"(?:confirm|corroborat|reaffirm|validat|replicat|reproduc|substantiat|verif)\w* (?:\w+ ){0,2}(?:the"
    r"|this|that"
    r"|these|prior|previous|earlier|existing|findings?|results?|hypothes\w+|observations?|phenomen\w+|claims?"
    r"|reports?)"
    r"|consistent with|in line with|in agreement with|agrees? with|aligns? with (?:prior|previous|earlier|the"
    r"|existing|recent)|echo(?:es|ing)? (?:the|prior|previous|earlier|recent)"
    r"|further (?:evidence|support|confirm\w*)|(?:provides?|offers?|lends?|adds?) (?:\w+ )?(?:evidence"
    r"|support)"
    r" (?:for|to|that)"
    r"|(?:persists?|remains?|still (?:suffer|fail|struggle|exist|hold)\w*) (?:even |across |at |in |for "
    r"|under )"
    r"|(?:suffer|suffers|suffering) from|(?:is|are|remains?) (?:an? )?(?:inherent|fundamental|intrinsic)"
    r"|(?:cannot|can not) be (?:solved|overcome|eliminated|fixed) (?:by|with|through)"
    r")\b"
)
# "... supporting our theoretical results, confirming the behaviours": the paper agreeing with itself.
_OWN_RESULTS = re.compile(
    r"\b(?:support\w*|confirm\w*|validat\w*|corroborat\w*|verif\w*|consistent with|in line with"
    r"|agree\w* with) (?:\w+ ){0,2}our\b"
)
_AGREE_NEGATED = re.compile(
    r"\b(?:not|never|failed to be|yet to be|no longer) (?:been )?(?:\w+ )?(?:replicated|reproduced|confirmed"
    r"|validated|corroborated|supported)\b"
)

# The limitation the claim describes goes away under the paper's method or condition ("accumulating
# data avoids model collapse"). Weak alone: most such papers confirm the limitation, then fix it.
_REMOVED = re.compile(
    r"\b(?:avoid|avoids|avoided|avoiding|prevent|prevents|prevented|eliminat\w+|overcom\w+|break|breaks"
    r"|breaking"
    r"|escap\w+|resolv\w+|remov\w+|never|no longer suffer\w*|immune to|free (?:of|from))\b"
)

# The paper describing its own method: contrastive wording there is a pitch, not a verdict.
_OWN_METHOD = re.compile(
    r"\b(?:propos(?:e|es|ed|ing)|introduc(?:e|es|ed|ing)"
    r"|we (?:present|develop|design|build|release|provide|offer|contribute|open[- ]?source)"
    r"|(?:our|the proposed) (?:method|approach|framework|model|algorithm|technique|system|pipeline|dataset"
    r"|benchmark|code)|code (?:is|and \w+ are) (?:available|released)|github|this paper (?:proposes"
    r"|introduces"
    r"|presents))\b"
)

# The authors speaking (a challenge is what a paper says, not the background it reports).
_AUTHORS = re.compile(
    r"\b(?:we|our|us|this (?:paper|work|study|article|note|finding|result)|here|(?:these|the|such)"
    r" (?:results|findings|experiments|analyses|observations))\b"
)

# A sentence that refers back to what the one before it said.
_BACK_REFERENCE = re.compile(
    r"\b(?:this|that|these|those|such) (?:view|belief|assumption|hypothes\w+|notion|claim|claims|narrative"
    r"|conclusion|conclusions|finding|findings|result|results|intuition|consensus|picture|limitation|limit"
    r"|failure|phenomenon|phenomena|effect|curse|perspective|paradigm|explanation|account|premise|equivalence"
    r"|assertion|position|argument|line of work|observation|observations)\b"
    r"|\b(?:we|this (?:paper|work|study)) (?:challenge|question|dispute|refute|contest|revisit|re[- ]?examine"
    r"|reassess)\b"
)

# A sentence that reports the paper's findings.
_FINDING = re.compile(
    r"\b(?:we (?:\w+ )?(?:find|found|show|showed|demonstrate|observe|observed|prove|reveal|establish|argue"
    r"|report|uncover|identify|conclude)|(?:our )?(?:results|findings|experiments|analyses|analysis|evidence)"
    r" (?:\w+ )?(?:show|suggest|reveal|indicate|demonstrate|establish|highlight)"
    r"|(?:this|which|that) (?:shows?|suggests?|reveals?|indicates?|impl(?:y|ies)|demonstrates?))\b"
)

# A sentence that turns against what came before.
_NOT_REMOVED = re.compile(
    r"\b(?:not|cannot|can t|never|unable to|impossible to|hard to|difficult to|fail to|fails to) (?:\w+ )?"
    r"(?:be )?(?:avoid|prevent|eliminat|overcom|escap|resolv|remov)\w*|\bunavoidabl\w*|\binevitabl\w*"
)

_TURN = re.compile(
    r" ?(?:however|in contrast|instead|but|yet|surprisingly|contrary|unlike|nevertheless|nonetheless)\b"
)

# Polarity: a finding that something fails, against one that it works.
_NEGATIVE = re.compile(
    r"\b(?:not(?! only)|no|never|cannot|can t|fail\w*|unable|struggl\w*|lack\w*|degrad\w*|collaps\w*|worse"
    r"|destroy\w*|erod\w*|deteriorat\w*|unstable|inconsistent"
    r"|poor\w*|underperform\w*|limited|fragile|brittle|break\w* down|harm\w*|hurt\w*|impair\w*"
    r"|los(?:e|es|ing|t)|decline\w*|drop\w*|insufficient|unreliable|incapable|inability)\b"
)
_POSITIVE = re.compile(
    r"\b(?:(?:have|has|possess|possesses|exhibit|exhibits|show|shows|retain|retains)"
    r" (?:\w+ ){0,3}?(?:abilit\w*|capabilit\w*|capacit\w*)"
    r"|can (?:\w+ )?(?:achieve|match|plan|solve|generali[sz]e|learn|perform|outperform|recover|infer)"
    r"|(?:is|are) (?:capable|able)|succeed\w*|outperform\w*|competitive|match(?:es|ing)? (?:or (?:exceed"
    r"|surpass)\w* )?"
    r"|on par|comparable|surpass\w*|exceed\w*|achiev\w* (?:\w+ )?(?:state|high|strong|near|human|perfect)"
    r"|generali[sz]e\w* (?:well|robustly|flexibly|better))\b"
)

# A claim that states a limitation or a negation ("cannot plan", "degrades", "is bounded by").
_CLAIM_NEGATIVE = re.compile(
    r"\b(?:not(?! only)|no|never|cannot|can t|fail\w*|unable|struggl\w*|lack\w*|degrad\w*|collaps\w*|worse"
    r"|break\w*|harm\w*|hurt\w*|limit\w*|bound\w*|only|rather than|lose|loses|losing|curse|insufficient"
    r"|without)\b"
)

# -- how sure each kind of evidence makes the tool (0-1) ---------------------------------------------------
# `aim` is how specifically the sentence names the claim: 1 for an anchor, 0.8 for a topic few of the
# claim's candidates mention, 0.5 for one most of them mention (the field, not the claim) or the claim's
# own words; 0.6 of that when the sentence names only one aspect of the claim.

EXPLICIT_BASE = 0.5  # explicit disagreement, aimed at the claim ...
EXPLICIT_AIM = 0.3  # ... plus this much times its aim ...
ANSWERS_BELIEF = 0.15  # ... plus this when it answers a stated belief (this sentence or the one before)
OWN_METHOD_PENALTY = 0.2  # ... less this when the sentence describes the paper's own method
QUALIFY_BASE, QUALIFY_AIM = 0.35, 0.3  # a qualification that answers a stated belief
QUALIFY_ALONE_BASE, QUALIFY_ALONE_AIM = 0.15, 0.25  # a qualification with no belief near
OPPOSITE_BASE, OPPOSITE_AIM = 0.25, 0.25  # a finding of the opposite polarity to the claim's ...
OPPOSITE_TURN = 0.15  # ... that turns against a belief ("However, we find ...")
REMOVED_BASE, REMOVED_AIM = 0.2, 0.2  # the claim's limitation goes away (weak: most such papers fix it)
TITLE_EXPLICIT = (0.45, 0.3)  # a title that disagrees with what it names (base, aim)
TITLE_QUALIFY = (0.2, 0.3)  # "Revisiting X", "Rethinking X"
TITLE_REMOVED = (0.2, 0.2)  # "Breaking the curse of X", "Never Lost in the Middle"
TITLE_QUESTION = (0.15, 0.3)  # "Is X inevitable?"
TITLE_OPPOSITE = (0.25, 0.3)  # "LLMs have intrinsic self-correction ability" against "they do not"
AGREE_BASE, AGREE_ANCHORED = 0.55, 0.1  # agreement aimed at the claim (+ when at an anchor or belief)
SAME_POLARITY = 0.4  # a finding of the claim's own polarity
REACH = 3  # a sentence answers at most this many sentences back (itself included)
TITLE_ANSWER = 0.8  # a sentence that answers a belief about what the title names: its aim, this much
MAX_CONFIDENCE = 0.97
MIN_STANCE = 0.35  # weaker evidence either way (a title that only asks) is no stance: the paper is related
GENERIC_SHARE = 0.25  # a name in at least this share of the claim's candidates names the field, not the claim
ANCHOR_AIM = 1.0  # an anchor named by id, title or a short name few candidates use
TOPIC_AIM = 0.8  # a topic few of the claim's candidates mention
FIELD_AIM = 0.5  # a topic (or short name) most of them mention, or several of the claim's own words
CLAIM_WORDS_AIM = 4  # this many of the claim's own content words in one sentence aim it at the claim
CLAIM_WORDS_ASPECT = 2  # this many count as one more aspect of the claim named
ONE_ASPECT = 0.6  # the aim of a sentence that names only one aspect of the claim counts this much


@dataclass(frozen=True)
class Name:
    """One way a text can name what the claim is about: an anchor (by id, title or short name) or a
    topic. It names the claim in a sentence that has at least `need` of its `stems` (all of them, or
    most of a long title's), in any order and form ("interpretable features" names "feature
    interpretability"); `strength` is how specifically it names the claim."""

    label: str  # "anchor 2309.12288", "topic 'reversal curse'"
    stems: frozenset[str]
    need: int
    strength: float


@dataclass(frozen=True)
class Aim:
    """Where a sentence names what the claim is about, and how specifically."""

    label: str
    first: int  # the sentence's word range
    last: int
    strength: float


@dataclass(frozen=True)
class StanceFinding:
    """A paper's stance on a claim: the deciding sentence (as written), what it aims at, the cue."""

    stance: Stance
    confidence: float
    sentence: str | None = None
    target: str | None = None
    cue: str | None = None


RELATED = StanceFinding(Stance.RELATED, 0.0)


@dataclass(frozen=True)
class ClaimSide:
    """What stance needs to know of the claim: whether it states a limitation ("cannot plan",
    "degrades"), so that a finding's polarity says which side it is on, and its own content stems."""

    negative: bool
    words: frozenset[str]


NEUTRAL_SIDE = ClaimSide(negative=False, words=frozenset())


def claim_side(text: str, word_stems: frozenset[str]) -> ClaimSide:
    """What stance reads of a claim's text: whether it states a limitation, and its content stems."""
    return ClaimSide(bool(_CLAIM_NEGATIVE.search(" ".join(_Text(text).words))), word_stems)


@dataclass
class _Sentence:
    start: int  # character offsets in the text
    end: int
    first: int  # word index of its first word
    last: int  # word index of its last word (inclusive)
    joined: str  # its words joined by single spaces
    aim: Aim | None  # the most specific of `aims`, or the claim's words
    masked: str  # `joined` with the claim's own names blanked out (cues and polarity read this)
    aims: tuple[Aim, ...] = ()  # every name of the claim in it
    claim_words: int = 0  # how many of the claim's own content words it uses


def judge_stance(
    side: ClaimSide,
    title: _Text,
    abstract: _Text,
    names: Sequence[Name],
    trace: list[tuple[str, float, str, str]] | None = None,
) -> StanceFinding:
    """The paper's stance on the claim, from its abstract's sentences and its title. `trace` collects
    every piece of evidence read, (kind, confidence, target, cue), for experiments."""
    sentences = _sentences(side, abstract, names)
    title_sentence = _sentences(side, title, names, whole=True)
    title_aim = title_sentence[0].aim if title_sentence else None
    evidence = _Evidence(trace)
    for i, s, aim, belief in _aimed(sentences, title_aim):
        _read_sentence(evidence, side, i, s, aim, belief)
    if title_aim is not None:
        kind = _title_kind(side, title_sentence[0], title.raw.rstrip().endswith("?"))
        if kind is not None:
            (base, per_aim), cue = kind
            evidence.challenge(-1, base + per_aim * title_aim.strength, title_aim.label, cue)
    return _decide(evidence.challenges, evidence.agrees, title, abstract, sentences)


class _Evidence:
    """What the sentences say: each one's surest challenge, and every agreement."""

    def __init__(self, trace: list[tuple[str, float, str, str]] | None) -> None:
        self.challenges: dict[int, tuple[float, str, str]] = {}  # sentence -> (confidence, target, cue)
        self.agrees: list[tuple[float, int, str, str]] = []  # (confidence, sentence, target, cue)
        self.trace = trace

    def challenge(self, i: int, confidence: float, target: str, cue: str) -> None:
        if self.trace is not None:
            self.trace.append((f"challenge@{i}", round(confidence, 3), target, cue))
        if confidence > self.challenges.get(i, (0.0, "", ""))[0]:
            self.challenges[i] = (confidence, target, cue)

    def agree(self, confidence: float, i: int, target: str, cue: str) -> None:
        self.agrees.append((confidence, i, target, cue))


def _aimed(
    sentences: Sequence[_Sentence], title_aim: Aim | None
) -> Iterator[tuple[int, _Sentence, Aim, bool]]:
    """(index, sentence, what it is aimed at, whether it answers a stated belief) for each sentence
    aimed at what the claim is about: what it names itself or, when it answers the sentence before
    ("Prior work suggests this failure is inherent. We challenge this view."), what that one names or
    refers back to; or what the title names, when it answers a belief."""
    previous_belief = False
    reach: list[list[_Sentence]] = []  # per sentence: it, and what it refers back to
    for i, s in enumerate(sentences):
        text = s.joined
        belief_here = bool(_BELIEF.search(text))
        belief_before = previous_belief
        previous_belief = belief_here
        belief = belief_before or belief_here
        back = bool(_BACK_REFERENCE.search(text))
        context = [s, *reach[-1]][:REACH] if reach and (belief_before or back) else [s]
        reach.append(context if (back or belief_here) else [s])
        aims = [c.aim for c in context]
        if title_aim is not None and (belief or back):
            aims.append(Aim(title_aim.label, -1, -1, TITLE_ANSWER * title_aim.strength))
        aim = max((a for a in aims if a is not None), key=lambda a: a.strength, default=None)
        if aim is None:
            continue
        # A sentence that names one aspect of the claim may be about something else in the field; one
        # that names two (two topics, a topic and the anchor, a topic and the claim's words) is about it.
        named = {a.label for c in context for a in c.aims}
        aspects = len(named) + (max(c.claim_words for c in context) >= CLAIM_WORDS_ASPECT)
        if aspects < 2:
            aim = Aim(aim.label, aim.first, aim.last, ONE_ASPECT * aim.strength)
        yield i, s, aim, belief


def _read_sentence(
    evidence: _Evidence, side: ClaimSide, i: int, s: _Sentence, aim: Aim, belief: bool
) -> None:
    """What one aimed sentence, in the authors' voice or reporting a finding, says of the claim:
    disagreement (explicit, a qualification, the limitation removed), a finding of either polarity,
    or agreement."""
    text = s.joined
    authors = bool(_AUTHORS.search(text))
    finding = s.aim is not None and bool(_FINDING.search(text))
    if not (authors or finding):
        return  # background in no one's voice, reporting nothing: most sentences
    own = bool(_OWN_METHOD.search(text))
    agree = None
    if authors:
        agree = None if _AGREE_NEGATED.search(text) or _OWN_RESULTS.search(text) else _AGREE.search(text)
    if authors and not agree:
        _disagreement(evidence, side, i, s, aim, belief, own)
    if finding and authors and s.aim is not None and not own:
        polarity = _polarity(s.masked)
        if polarity is not None and polarity != side.negative:
            turn = belief or bool(_TURN.match(text))
            confidence = OPPOSITE_BASE + OPPOSITE_AIM * s.aim.strength + OPPOSITE_TURN * turn
            evidence.challenge(i, confidence, s.aim.label, "a finding opposite to the claim")
        elif polarity is not None:
            evidence.agree(SAME_POLARITY, i, s.aim.label, "a finding in line with the claim")
    if agree:
        anchored = belief or aim.strength >= 1.0
        evidence.agree(AGREE_BASE + AGREE_ANCHORED * anchored, i, aim.label, f"'{agree.group(0)}'")


def _disagreement(
    evidence: _Evidence, side: ClaimSide, i: int, s: _Sentence, aim: Aim, belief: bool, own: bool
) -> None:
    """The authors disagreeing: explicitly, or with a qualification (that counts for much only as the
    answer to a stated belief), or saying the claim's limitation goes away."""
    if m := _EXPLICIT.search(s.masked):
        confidence = EXPLICIT_BASE + ANSWERS_BELIEF * belief + EXPLICIT_AIM * aim.strength
        evidence.challenge(i, confidence - OWN_METHOD_PENALTY * own, aim.label, f"'{m.group(0)}'")
    elif not own and (m := _QUALIFY.search(s.masked)):
        if belief:
            evidence.challenge(i, QUALIFY_BASE + QUALIFY_AIM * aim.strength, aim.label, f"'{m.group(0)}'")
        elif s.aim is not None:
            confidence = QUALIFY_ALONE_BASE + QUALIFY_ALONE_AIM * aim.strength
            evidence.challenge(i, confidence, aim.label, f"'{m.group(0)}'")
    removed = (
        _REMOVED.search(s.masked)
        if s.aim is not None and side.negative and not _NOT_REMOVED.search(s.masked)
        else None
    )
    if s.aim is not None and removed and not own:
        confidence = REMOVED_BASE + REMOVED_AIM * s.aim.strength
        evidence.challenge(i, confidence, s.aim.label, f"'{removed.group(0)}'")


def _decide(
    challenges: Mapping[int, tuple[float, str, str]],
    agrees: Sequence[tuple[float, int, str, str]],
    title: _Text,
    abstract: _Text,
    sentences: Sequence[_Sentence],
) -> StanceFinding:
    """Weigh the evidence: challenges from independent sentences (index -1: the title) combine by
    noisy-or, quoted by the surest one; agreement wins only when surer; below MIN_STANCE, no stance."""
    best_agree = max(agrees, default=None)
    if challenges:
        missing = 1.0
        for confidence, _, _ in challenges.values():
            missing *= 1.0 - max(0.0, confidence)
        confidence = min(MAX_CONFIDENCE, 1.0 - missing)
        at, (_, target, cue) = max(challenges.items(), key=lambda kv: (kv[1][0], -kv[0]))
        if confidence >= MIN_STANCE and (best_agree is None or confidence >= best_agree[0]):
            sentence = " ".join(title.raw.split()) if at == -1 else _quote(abstract, sentences[at])
            return StanceFinding(Stance.CHALLENGES, round(confidence, 2), sentence, target, cue)
    if best_agree is not None and best_agree[0] >= MIN_STANCE:
        confidence, at, target, cue = best_agree
        return StanceFinding(
            Stance.SUPPORTS, round(confidence, 2), _quote(abstract, sentences[at]), target, cue
        )
    return RELATED


def _title_kind(side: ClaimSide, t: _Sentence, question: bool) -> tuple[tuple[float, float], str] | None:
    """What the title says of what it names: disagrees, re-examines, removes the limitation, asks,
    or says the opposite."""
    text = t.masked  # the claim's own names are no cue ("The Reasoning Mirage" is not "a mirage")
    if m := _EXPLICIT.search(text):
        return TITLE_EXPLICIT, f"title: '{m.group(0)}'"
    if m := _QUALIFY.search(text):
        return TITLE_QUALIFY, f"title: '{m.group(0)}'"
    if side.negative and not _NOT_REMOVED.search(text) and (m := _REMOVED.search(text)):
        return TITLE_REMOVED, f"title: '{m.group(0)}'"
    if question:
        return TITLE_QUESTION, "title asks"
    polarity = _polarity(t.masked)
    if polarity is not None and polarity != side.negative:
        return TITLE_OPPOSITE, "title opposite to the claim"
    return None


def _polarity(text: str) -> bool | None:
    """True: the sentence says something fails; False: that it works; None: neither, or both."""
    negative = bool(_NEGATIVE.search(text))
    positive = bool(_POSITIVE.search(text))
    return None if negative == positive else negative


def _sentences(
    side: ClaimSide, text: _Text, names: Sequence[Name], *, whole: bool = False
) -> list[_Sentence]:
    """`text` cut into sentences as word ranges, each with the claim's names it has."""
    words = text.words
    if not words:
        return []
    # Sentence ends need the original case ("... shift. We show ..."); offsets are the same in both
    # (where lower-casing changes a length, _Text keeps the original text as `lowered`).
    spans = [(0, len(text.raw))] if whole else sentence_spans(text.raw)
    present = text.present
    names = [n for n in names if len(n.stems & present) >= n.need]  # most names are nowhere in it
    out = []
    first = 0
    lowered = text.lowered
    for lo, hi in spans:
        # A sentence ends after punctuation and white space, never inside a word: its words are the
        # next ones in order, as many as it has.
        last = first + _word_count(lowered[lo:hi]) - 1
        if last < first:
            continue
        stems = text.stems[first : last + 1]
        here = set(stems)
        named = [n for n in names if len(n.stems & here) >= n.need]
        inside = tuple(Aim(n.label, first, last, n.strength) for n in named)
        aim = max(inside, key=lambda a: a.strength, default=None)
        claim_words = len(side.words & here)
        if aim is None and claim_words >= CLAIM_WORDS_AIM:
            aim = Aim("the claim's words", first, last, FIELD_AIM)
        joined = " ".join(words[first : last + 1])
        if named:
            blank = frozenset().union(*(n.stems for n in named))
            masked = " ".join(
                "_" if st in blank else w for w, st in zip(words[first : last + 1], stems, strict=True)
            )
        else:
            masked = joined
        out.append(_Sentence(lo, hi, first, last, joined, aim, masked, inside, claim_words))
        first = last + 1
    return out


def _word_count(text: str) -> int:
    """How many words `_Text` reads in `text` (the same split, for one sentence)."""
    if text.isascii():
        return len(text.encode("ascii").translate(_ASCII_SPACES).split())
    return len(_WORD.findall(text))


def _quote(text: _Text, s: _Sentence) -> str:
    """The sentence as the paper wrote it, whitespace folded."""
    return " ".join(text.raw[s.start : s.end].split())
