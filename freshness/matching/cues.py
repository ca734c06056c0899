"""Cues: what each kind of sentence sounds like to stance, as regular expressions matched on lower-case
words joined by single spaces: a belief or an earlier finding stated, disagreement (explicit, or softer),
agreement, the claim's limitation removed, the paper's own method, the authors' voice, a finding, a
turn, and a finding's polarity. One concern kept whole: the lexicons are read side by side when tuned
(docs/dev/stance-log.md).
"""

from __future__ import annotations

import re

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


def _polarity(text: str) -> bool | None:
    """True: the sentence says something fails; False: that it works; None: neither, or both."""
    negative = bool(_NEGATIVE.search(text))
    positive = bool(_POSITIVE.search(text))
    return None if negative == positive else negative
