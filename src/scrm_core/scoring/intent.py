"""The ``intent`` scorer: what the author wants, from multilingual keyword sets (one automaton), a few
whole-message phrases (a bare "STOP"), the question mark, and optional patterns (RE2, linear time) that a
deployment extends in ``[scoring.intent]``.

The keyword sets are written the way customers write on social channels and in e-mail: folded (no accents,
lower case), inflected forms listed one by one ("caiu", "caindo", "caem"), the usual abbreviations ("vcs",
"pq", "q", "tb", "hj", "net"), and phrases rather than single words wherever a single word would also fire on
harmless text ("down again", "is down", "still down", never "down", which is also "940 down, 880 up").
``MASKS`` are phrases that cancel the keywords inside them ("zero outages" is praise, not an outage; "nunca
caiu" is not "caiu").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import re2

from scrm_core.consent import DEFAULT_OPT_OUT
from scrm_core.models import Interaction, Score
from scrm_core.scoring._make import make_score
from scrm_core.scoring.base import ScoringContext
from scrm_core.scoring.keywords import KeywordAutomaton
from scrm_core.scoring.text import fold

__all__ = [
    "DEFAULT_KEYWORDS",
    "DEFAULT_WHOLE_MESSAGE",
    "INTENTS",
    "MASKS",
    "IntentScorer",
    "intents_of",
]

#: most pressing first: the first matched intent in this order is the Score's label
INTENTS = ("urgent_safety", "opt_out", "churn_risk", "complaint", "purchase_interest", "question", "praise")


def _phrases(text: str) -> tuple[str, ...]:
    """One phrase a line (blank lines and ``# comments`` skipped): keeps the long lists below readable."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(line for line in lines if line)


#: en / pt / es, written without accents (text is folded before matching). One phrase a line; a line may hold
#: several phrases separated by " | ".
_KEYWORDS_TEXT: Mapping[str, str] = {
    "urgent_safety": """
        # fire, smoke, electricity, fallen cables and poles
        fire | on fire | caught fire | smoke | smoking | explode | exploded | exploding | explosion
        burned | burnt | burning smell | electric shock | electrocuted | sparking | sparks | sparked
        live wire | cable down | cables down | cables are down | cable hanging | cables hanging | hanging down
        wire down | wires down | pole down | pole leaning | fallen pole | leaning pole | fallen cable
        danger | dangerous | unsafe | hazard | injured | injury | hospital | emergency | carbon monoxide
        fogo | pegou fogo | pegando fogo | incendio | fumaca | explodiu | explosao | choque eletrico | levei choque
        faisca | faiscas | soltando faisca | fio caido | fios caidos | fio solto | fios soltos | cabo caido
        cabos caidos | cabo solto | poste caido | poste caindo | poste torto | perigo | perigoso | perigosa
        risco de vida | ferido | ferida | feridos | machucado | machucada | emergencia
        fuego | incendio | humo | explosion | exploto | chispas | cable caido | descarga electrica | herido
        herida | peligro | peligroso | peligrosa | emergencia
        # threats to life
        suicide | kill myself | threat | threatening | poisoned | suicidio | me matar | ameaca | intoxicado
        # medical devices and vulnerable people who depend on the line
        heart monitor | oxygen | oxygen concentrator | pacemaker | dialysis | medical alarm | personal alarm
        alarm pendant | careline | telecare | lifeline | lives alone | living alone | call for help
        has no mobile | no way to call | vulnerable customer
        concentrador de oxigenio | oxigenio | marcapasso | monitor cardiaco | cardiologista | aparelho medico
        monitoramento remoto | mora sozinha | mora sozinho | vive sozinha | vive sozinho | ta sozinha
        ta sozinho | esta sozinha | esta sozinho | nao tem celular | posto de saude | acamado | acamada
        vive sola | vive solo | oxigeno
        # regulators, courts, lawyers
        ombudsman | ombudsman services | trading standards | small claims | legal action | my solicitor
        my lawyer | my attorney | sue you | suing | report you to ofcom | complain to ofcom | fcc complaint
        attorney general | procon | procon-sp | juizado | juizado especial | pequenas causas | acao judicial
        advogado | processar voces | processar vcs | entrar na justica | anatel | consumidor.gov
        profeco | abogado | demanda judicial
    """,
    "opt_out": """
        unsubscribe | stop messaging | stop contacting | stop texting | stop emailing | remove me
        opt out | opt-out | do not contact | leave me alone | no more messages
        descadastrar | descadastre | parem de me mandar | para de me mandar | nao me contate | nao me mandem
        me tire da lista | me tirem da lista | sair da lista | cancelar inscricao | nao quero mais mensagens
        darme de baja | no me contacten | no me escriban
    """,
    "churn_risk": """
        cancel my | cancel the | cancel our | cancel it | i'll cancel | i will cancel | going to cancel
        gonna cancel | want to cancel | notice to cancel | just cancelled | just canceled | cancelling
        canceling | cancellation | early termination | termination fee | i want out | i'm gone | im gone
        i'm leaving | im leaving | free to leave | reason to stay | switch to | switching to | switching from
        switch providers | switch provider | switching providers | switch isps | switch isp | new provider
        another provider | signed with another | porting out | port out | close my account | never again
        last time i buy | i'm done with | im done with | retention | starlink | better deal | better offer
        offering me | quoted me | match it
        vou cancelar | quero cancelar | preciso cancelar | cancelar meu | cancelar minha | cancelar o plano
        cancelar o contrato | cancelar sem multa | cancelar a | cancelamento | multa pra cancelar
        multa para cancelar | multa rescisoria | fidelidade | rescindir | rescisao | mudar de operadora
        trocar de operadora | outra operadora | vou largar | to largando | tou largando | estou largando
        largar a | encerrar minha conta | nunca mais | portabilidade pra | portabilidade para a
        fazer a portabilidade | vou fazer portabilidade | recebi uma oferta | recebi oferta | recebi proposta
        recebi uma proposta | oferta melhor | proposta melhor | vou pra concorrencia
        cancelar mi | voy a cancelar | quiero cancelar | dar de baja | me cambio de compania | otra compania
        me voy con | portabilidad
    """,
    "complaint": """
        # money
        refund | money back | charged twice | double charged | overcharged | was i charged | i was charged
        charged me | still being billed | still billed | billed for | wrongly charged | late fee
        late payment fee | paper bill fee | paying for | scam | rip off | ripoff
        reembolso | estorno | estornar | estornado | dinheiro de volta | de volta | cobrado duas vezes
        cobrada duas vezes | cobrado 2x | cobrada 2x | cobraram | cobrando | me cobram | cobranca indevida
        valor indevido | indevido | indevida | golpe | pagando por | desconto proporcional | abatimento
        multa | devolver o | vao devolver
        cobro indebido | me cobraron | cobraron | estafa
        # outages, speed, signal
        outage | outages | offline | no internet | no broadband | no signal | no service | no connection
        no dial tone | down again | is down | still down | broadband down | internet down | wifi down
        network down | service down | line down | app down | went down | goes down | been down
        drops | dropping | dropped | keeps dropping | disconnects | disconnecting | signal dies | slow
        so slow | too slow | buffering | lagging | reboots itself | restarts itself | keeps rebooting
        can't make calls | cannot make calls | can't log in | cannot log in | logging me out | logs me out
        not working | doesn't work | does not work | isn't working | stopped working | broken
        sem internet | sem net | sem sinal | sem linha | sem telefone | sem servico | sem conexao | sem nada
        caiu | caindo | caem | cai toda | cai varias | cai e volta | cair a internet | cair a net
        cair de novo | conexao cai | internet cai | net cai | sinal cai | queda | quedas | oscilando
        oscilacao | instavel | lenta | lento | lentidao | nao passa de | fora do ar | cade a internet
        cade a net | nao funciona | nao esta funcionando | parou de funcionar | nao faco | nem recebo
        nao consigo | quebrado | quebrou | luz vermelha
        sin internet | sin senal | se cayo | no funciona | lento | roto
        # no-shows, waiting, being ignored
        nobody came | no one came | nobody showed up | no show | no-show | didn't show | didn't turn up
        no engineer | no tech | no technician | still waiting | been waiting | never arrived | still nothing
        nothing has arrived | hung up | no reply | zero reply | no response | fix it | sort it out
        ninguem veio | ninguem apareceu | nao apareceu | nao veio | ninguem atende | ninguem responde
        ninguem respondeu | ninguem explica | nao resolveram | sem solucao | sem resposta | nenhuma previsao
        nenhum aviso | ainda esperando | ainda sem | continua sem | nada ate agora | ate agora nada
        remarcam | remarcaram | nem adianta | ja reiniciei | reiniciei | nao chegou | nunca chega
        nadie vino | todavia esperando | sigo esperando
        # how it feels
        terrible | worst | awful | useless | disappointed | disappointing | complaint | formal complaint
        ridiculous | unacceptable | not acceptable | not impressed | a joke | is a joke | makes no sense
        lying | fed up | sick of | pathetic | shocking service
        pessimo | pessima | horrivel | ridiculo | absurdo | descaso | palhacada | vergonha | decepcionado
        decepcionada | reclamacao | reclamacoes | reclamei | reclamar | reclame aqui | inaceitavel
        de brincadeira | cansei | prejudicando | prejuizo | que isso
        pesimo | pesima | horrible | queja | verguenza | inaceptable
    """,
    "purchase_interest": """
        how much | price | pricing | prices | buy | purchase | quote | discount | available in | in stock
        upgrade | upgrading | plan for | sign up | signing up | interested in | family plan | family discount
        business broadband | business fibre | business fiber | static ip | adding lines | add lines
        new lines | pay the difference | deal for | promo | offer for
        quanto custa | quanto fica | quanto e o | qual o valor | qual valor | o valor para | preco | precos
        comprar | orcamento | desconto | tem em estoque | quero contratar | gostaria de contratar
        como contratar | pra contratar | para contratar | quero assinar | plano empresarial | plano familia
        plano para | tem plano | mudar de plano | trocar meu plano | trocar de plano | migrar meu plano
        migrar para | migrar pro | quero migrar | trazer | linhas moveis | linha movel | linhas pos
        ip fixo | comercial | promocao | promo | eu fecho | fecho hoje | atende em | tem cobertura
        cuanto cuesta | precio | quiero comprar | quiero contratar | cotizacion | promocion | descuento
        plan empresarial
    """,
    "question": """
        how do i | how can i | how do | how long | where is | when will | what is | what's | can you
        could you | is there | help me | can i | could i | is it possible | any way | is there a way
        what do i do | who do i talk to | quick q | does anyone know | do you know
        como faco | como posso | como eu faco | como ativo | como que | onde fica | quando vai | qual e
        qual o | voces podem | vcs podem | alguem pode | alguem sabe | me ajuda | preciso de ajuda | duvida
        tem como | consigo | da pra | e automatico | posso mandar | quanto tempo | gostaria de saber
        queria saber | quero saber | precisa pedir
        como puedo | donde esta | ayuda | cuanto tiempo | se puede | pregunta
    """,
    "praise": """
        thank you | thanks | thank | love | loved | awesome | amazing | great service | excellent | well done
        brilliant | fab | fantastic | grateful | appreciate | kudos | shoutout | shout out | credit where due
        fair play | respect | 5 stars | five stars | smoothest | hero | heroes | good lad | was great
        were great | patient and kind | so kind | helpful | lifesaver | recommend | impressed | huge relief
        obrigado | obrigada | adorei | amei | otimo | otima | excelente | parabens | maravilhoso | maravilhosa
        elogio | nota 10 | recomendo | melhor internet | muito bom | resolvido | agilidade | rapidez
        educado | educada | paciencia | de coracao | que diferenca
        gracias | excelente servicio | genial | muy bueno | felicidades
    """,
}

#: keywords by intent (read from the lists above)
DEFAULT_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    name: tuple(dict.fromkeys(p.strip() for line in _phrases(text) for p in line.split("|") if p.strip()))
    for name, text in _KEYWORDS_TEXT.items()
}

#: phrases that count only when they are the whole message (after @handles, punctuation and emoji are dropped):
#: a bare "STOP" opts out, "please don't stop the service" does not. Opt-out phrases are consent's own.
DEFAULT_WHOLE_MESSAGE: Mapping[str, tuple[str, ...]] = {"opt_out": tuple(DEFAULT_OPT_OUT)}

#: phrases that cancel every keyword match inside them
MASKS: tuple[str, ...] = (
    "zero outages",
    "no outages",
    "never drops",
    "never dropped",
    "never goes down",
    "not slow",
    "nunca caiu",
    "nunca cai",
    "sem quedas",
    "nenhuma queda",
    "thank you for your email",
    "thanks for your email",
    "no smoking",
)


def intents_of(score: Score | None) -> frozenset[str]:
    """Every intent an ``intent`` Score matched (its reasons read ``intent:<name> matched '<keyword>'``)."""
    if score is None:
        return frozenset()
    return frozenset(r[7:].split(" ", 1)[0] for r in score.reasons if r.startswith("intent:"))


def _merge(
    base: Mapping[str, Sequence[str]], extra: Mapping[str, Sequence[str]]
) -> dict[str, tuple[str, ...]]:
    merged = {name: tuple(words) for name, words in base.items()}
    for name, words in extra.items():
        merged[name] = (*merged.get(name, ()), *(str(w) for w in words))
    return merged


#: (Python's re: neither pattern can backtrack)
_HANDLE = re.compile(r"[@#]\S*")
_NOT_WORD = re.compile(r"[^\w\s]+")


def _whole(text: str) -> str:
    """``text`` folded, with @handles, #tags, punctuation and emoji dropped and spaces collapsed."""
    return " ".join(_NOT_WORD.sub(" ", _HANDLE.sub(" ", fold(text))).split())


#: the automaton's owner for a mask phrase (not a valid intent name: config keys are plain words)
_MASK = " mask"


class IntentScorer:
    """``label`` is the most pressing matched intent (order of INTENTS, then configured intents), ``value``
    the number of intents matched; every match is a reason. Abstains when nothing matched.

    ``whole_message`` phrases count only as the whole text; ``masks`` cancel the keywords inside them; with
    ``question_mark`` a "?" counts as a question when no question phrase matched."""

    name = "intent"
    languages: frozenset[str] | None = None
    requires: tuple[str, ...] = ()

    def __init__(
        self,
        keywords: Mapping[str, Sequence[str]] = DEFAULT_KEYWORDS,
        patterns: Mapping[str, Sequence[str]] | None = None,
        whole_message: Mapping[str, Sequence[str]] = DEFAULT_WHOLE_MESSAGE,
        masks: Sequence[str] = MASKS,
        question_mark: bool = True,
    ) -> None:
        self.keywords = dict(keywords)
        self.patterns = {name: tuple(p) for name, p in (patterns or {}).items()}
        self.whole_message = {name: tuple(p) for name, p in whole_message.items()}
        self.masks = tuple(masks)
        self.question_mark = bool(question_mark)
        names = set(keywords) | set(self.patterns) | set(self.whole_message)
        self._order = {name: i for i, name in enumerate((*INTENTS, *sorted(names - set(INTENTS))))}
        self._automaton: KeywordAutomaton[str] = KeywordAutomaton({**self.keywords, _MASK: self.masks})
        self._whole: dict[str, tuple[str, str]] = {}
        for name, phrases in self.whole_message.items():
            for phrase in phrases:
                key = _whole(phrase)
                if key:
                    self._whole.setdefault(key, (name, phrase))
        # whole-message phrases are short: longer texts, or texts of more words, skip the normalisation
        self._whole_chars = max((len(k) for k in self._whole), default=0) * 2 + 20
        self._whole_spaces = max((k.count(" ") for k in self._whole), default=0) + 3
        self._pattern_owners: list[tuple[str, str]] = []
        self._set: Any = None
        if self.patterns:
            options = re2.Options()
            options.log_errors = False
            self._set = re2.Set.SearchSet(options)
            for name, items in self.patterns.items():
                for pattern in items:
                    try:
                        self._set.Add(pattern)
                    except re2.error:
                        raise ValueError(
                            f"intent {name!r}: pattern {pattern!r} is not a valid RE2 expression"
                        ) from None
                    self._pattern_owners.append((name, pattern))
            self._set.Compile()

    def configure(self, settings: Mapping[str, Any]) -> IntentScorer:
        return IntentScorer(
            _merge(DEFAULT_KEYWORDS, settings.get("keywords", {})),
            settings.get("patterns"),
            _merge(DEFAULT_WHOLE_MESSAGE, settings.get("whole_message", {})),
            (*MASKS, *(str(m) for m in settings.get("masks", ()))),
            bool(settings.get("question_mark", True)),
        )

    def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
        text = interaction.text
        folded = fold(text)
        found: dict[str, str] = {}
        spans = self._automaton.spans(folded)
        masked = [(start, end) for start, end, owner, _ in spans if owner == _MASK]
        for start, end, name, word in spans:
            if name == _MASK or name in found:
                continue
            if masked and any(s <= start and end <= e for s, e in masked):
                continue
            found[name] = f"intent:{name} matched {word!r}"
        if self._whole and len(text) <= self._whole_chars and text.count(" ") <= self._whole_spaces:
            hit = self._whole.get(_whole(text))
            if hit is not None and hit[0] not in found:
                found[hit[0]] = f"intent:{hit[0]} matched {hit[1]!r} as the whole message"
        if self._set is not None:
            for index in self._set.Match(folded) or ():
                name, pattern = self._pattern_owners[index]
                found.setdefault(name, f"intent:{name} matched pattern {pattern!r}")
        if self.question_mark and "question" not in found and "?" in text:
            found["question"] = "intent:question matched '?'"
        if not found:
            return None
        ranked = sorted(found, key=self._order.__getitem__)
        return make_score(self.name, float(len(ranked)), ranked[0], tuple(found[name] for name in ranked))
