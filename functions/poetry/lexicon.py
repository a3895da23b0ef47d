"""Words and line shapes for the offline poet, per language.

Banks are named by valence (bright/dark) and energy (loud/soft); the poet mixes them in
proportion to the music. Slots: {a} adjective, {n} noun, {v} verb (base / plain form),
{vs} verb (English third person / Korean declarative), {vc} Korean connective; a digit
suffix ({n2}) asks for a different word. Korean slots may carry a particle pair
({n|이가}) that is chosen by the noun's final consonant."""

from typing import Any

EN = {
    "banks": {
        "bright_loud": {
            "a": ["blazing", "golden", "electric", "laughing", "wild", "radiant", "dancing", "bright"],
            "n": ["sun", "fire", "drum", "crowd", "summer", "heartbeat", "spark", "festival", "horizon"],
            "v": [
                ("leap", "leaps"),
                ("blaze", "blazes"),
                ("sing", "sings"),
                ("spin", "spins"),
                ("rise", "rises"),
                ("shout", "shouts"),
                ("burst", "bursts"),
                ("race", "races"),
            ],
        },
        "bright_soft": {
            "a": ["gentle", "soft", "silver", "warm", "quiet", "tender", "honeyed", "slow"],
            "n": ["morning", "meadow", "river", "lantern", "petal", "breeze", "dawn", "garden"],
            "v": [
                ("drift", "drifts"),
                ("glow", "glows"),
                ("rest", "rests"),
                ("hum", "hums"),
                ("bloom", "blooms"),
                ("linger", "lingers"),
                ("breathe", "breathes"),
                ("wander", "wanders"),
            ],
        },
        "dark_loud": {
            "a": ["iron", "restless", "burning", "jagged", "bitter", "feverish", "thunderous", "savage"],
            "n": ["storm", "engine", "blade", "siren", "wolf", "midnight", "furnace", "pulse"],
            "v": [
                ("crash", "crashes"),
                ("howl", "howls"),
                ("tear", "tears"),
                ("pound", "pounds"),
                ("rage", "rages"),
                ("grind", "grinds"),
                ("strike", "strikes"),
                ("shatter", "shatters"),
            ],
        },
        "dark_soft": {
            "a": ["grey", "hollow", "faded", "cold", "lonely", "distant", "pale", "sleeping"],
            "n": ["rain", "ash", "winter", "shadow", "moon", "window", "echo", "ghost"],
            "v": [
                ("fall", "falls"),
                ("fade", "fades"),
                ("weep", "weeps"),
                ("sink", "sinks"),
                ("wait", "waits"),
                ("ache", "aches"),
                ("drown", "drowns"),
                ("sigh", "sighs"),
            ],
        },
    },
    "lines": {
        "short": [
            "the {a} {n} {vs}",
            "{a} {n}, {a2} {n2}",
            "o {a} {n}",
            "we {v} like the {n}",
            "{n} and {n2}",
            "the {n} {vs} again",
            "{a} as the {n}",
            "here the {n2} {vs}",
            "the {n} and the {n2}",
            "a {a} {n} {vs}",
            "still the {n} {vs}",
            "{v}, {n}, {v2}",
            "only the {a} {n}",
            "now the {a} {n2}",
        ],
        "medium": [
            "the {a} {n} {vs} into the {n2}",
            "my heart {vs} like a {a} {n}",
            "under the {a} {n} we {v} and {v2}",
            "a {n} of {a} {n2} {vs} in me",
            "and every {n} {vs} toward the {a} {n2}",
            "the {n2} remembers how the {n} {vs}",
            "the {n} {vs} and the {a} {n2} answers",
            "somewhere a {a} {n} {vs} for us",
            "I hear the {n} {v} beneath the {a} {n2}",
            "all night the {a} {n} {vs} and {vs2}",
            "we {v} where the {a} {n} {vs}",
            "the {a} {n2} {vs} and we {v} with it",
        ],
        "long": [
            "and the {a} {n} {vs} where the {a2} {n2} {vs2} below",
            "I have known the {n} that {vs} through the {a} hours of {n2}",
            "somewhere a {a} {n} {vs}, and every {a2} {n2} {vs2} with it",
            "let the {n} {v} across the {a} fields of {n2}, let it {v2} and {v3}",
            "between the {n} and the {a} {n2} my patient heart {vs} and {vs2}",
            "slowly, as a {a} {n} {vs} over the {n2}, the whole night {vs2}",
            "when the {a} {n} {vs} I remember every {n2} we ever let {v}",
            "and the {n} {vs} until the {a} {n2} forgets its name",
            "far off a {a} {n} {vs}, and the {a2} {n2} leans close to listen",
            "we carried the {a} {n} through the {n2}, and it {vs2} in our hands",
            "all the {a} hours the {n} {vs}, and all the {a2} hours the {n2} {vs2}",
            "there is a {n} in me that {vs} like the {a} {n2} at the edge of the world",
        ],
    },
    "personas": {
        "hamlet": {
            "open": [
                "to {v}, or not to {v}: that is the question of the {n}",
                "o {a} {n}, what a piece of work is this {n2}",
                "alas, poor {n}! I knew it, {a} and {a2}",
                "there is a {a} {n} that shapes our ends",
                "methinks the {n} doth {v} too much",
            ],
            "close": ["the rest is silence, and a {a} {n}", "and so the {n} {vs}, and so must I"],
        },
        "romantic": {
            "open": [
                "o {a} {n}, thou {a2} bride of {n2}",
                "my heart aches, and a {a} {n} pains my sense",
                "thou still unravished {n} of {a} {n2}",
                "season of {a} {n} and {a2} {n2}",
                "bright {n}, would I were steadfast as thou art",
            ],
            "close": ["the {n} is beauty, beauty the {n}: that is all", "and the {a} {n} {vs} for ever"],
        },
        "zen": {
            "open": [
                "{a} {n}:",
                "the old {n}; a {n2} {vs} in",
                "in the {a} {n}, only {n2}",
                "one {n}, one {n2}",
                "the {n} {vs} without a sound",
            ],
            "close": ["nothing more than a {n}", "and the {n} is just the {n}"],
        },
        "noir": {
            "open": [
                "the {n} walked in like trouble in {a} shoes",
                "this city {vs} like a {a} {n} at three in the morning",
                "I lit a cigarette and watched the {n} {v}",
                "the {n} had {a} eyes and a {a2} alibi",
                "rain on the glass, a {a} {n} on the radio",
            ],
            "close": ["in this town every {n} has a price", "case closed, but the {n} still {vs}"],
        },
        "troubadour": {
            "open": [
                "sing, my {a} {n}, of the {n2} I left behind",
                "beneath your window, {a} as the {n}",
                "o lady of the {a} {n}",
                "my lute {vs} for you like a {a} {n}",
                "I rode through {n} and {a} {n2} to find you",
            ],
            "close": ["and still I sing, and still the {n} {vs}", "for you, my {a} {n}, for you"],
        },
        "stargazer": {
            "open": [
                "out past the {a} {n} the constellations {v}",
                "Orion {vs} above the {a} {n}",
                "light from a {a} {n} a thousand years ago",
                "I count the stars like a {a} {n}",
                "the telescope {vs} toward the {a} {n}",
            ],
            "close": ["we are {a} dust, remembering the {n}", "and the {n} turns, and the stars {v}"],
        },
    },
}

KO = {
    "banks": {
        "bright_loud": {
            "a": ["눈부신", "타오르는", "뜨거운", "찬란한", "춤추는", "빛나는", "들뜬", "황금빛"],
            "n": ["태양", "불꽃", "북소리", "여름", "심장", "축제", "지평선", "햇살"],
            "v": [
                ("솟아오른다", "솟아오르고"),
                ("타오른다", "타오르고"),
                ("노래한다", "노래하고"),
                ("달린다", "달리고"),
                ("뛰어오른다", "뛰어오르고"),
                ("외친다", "외치고"),
                ("터진다", "터지고"),
            ],
        },
        "bright_soft": {
            "a": ["부드러운", "은빛", "따스한", "고요한", "다정한", "느린", "맑은", "포근한"],
            "n": ["아침", "들판", "강물", "등불", "꽃잎", "바람", "새벽", "정원"],
            "v": [
                ("흐른다", "흐르고"),
                ("빛난다", "빛나고"),
                ("쉰다", "쉬고"),
                ("피어난다", "피어나고"),
                ("머문다", "머물고"),
                ("숨쉰다", "숨쉬고"),
                ("거닌다", "거닐고"),
            ],
        },
        "dark_loud": {
            "a": ["쇳빛", "불안한", "들끓는", "날카로운", "쓰디쓴", "거친", "사나운", "뜨거운"],
            "n": ["폭풍", "엔진", "칼날", "사이렌", "늑대", "자정", "용광로", "맥박"],
            "v": [
                ("부서진다", "부서지고"),
                ("울부짖는다", "울부짖고"),
                ("찢어진다", "찢어지고"),
                ("몰아친다", "몰아치고"),
                ("요동친다", "요동치고"),
                ("내리친다", "내리치고"),
            ],
        },
        "dark_soft": {
            "a": ["잿빛", "텅 빈", "바랜", "차가운", "외로운", "먼", "창백한", "잠든"],
            "n": ["비", "재", "겨울", "그림자", "달", "창문", "메아리", "유령"],
            "v": [
                ("떨어진다", "떨어지고"),
                ("스러진다", "스러지고"),
                ("운다", "울고"),
                ("가라앉는다", "가라앉고"),
                ("기다린다", "기다리고"),
                ("저문다", "저물고"),
                ("한숨짓는다", "한숨짓고"),
            ],
        },
    },
    "lines": {
        "short": [
            "{a} {n|이가} {vs}",
            "{a} {n}, {a2} {n2}",
            "오, {a} {n|이여}",
            "{n|와과} {n2}",
            "{n|이가} 다시 {vs}",
            "{a} {n}처럼",
            "여기 {n2|이가} {vs}",
            "우리는 {n}처럼 {vs}",
            "{a} {n}, 다시 {n2}",
            "오직 {a} {n}",
            "{n|은는} {vc} {vs2}",
            "{a} {n2|와과} {n}",
            "지금 {a} {n|이가} {vs}",
            "{n2|을를} 부르며 {vs}",
        ],
        "medium": [
            "{a} {n|이가} {n2} 속으로 {vs}",
            "내 마음은 {a} {n}처럼 {vs}",
            "{a} {n} 아래 우리는 {vc} {vs2}",
            "{a} {n2}의 {n|이가} 내 안에서 {vs}",
            "모든 {n|이가} {a} {n2|을를} 향해 {vs}",
            "{n2|은는} 아직 {n|을를} 기억하며 {vs}",
            "{n|이가} {vc} {a} {n2|이가} 대답한다",
            "어딘가에서 {a} {n|이가} 우리를 위해 {vs}",
            "{a} {n2} 아래에서 {n|이가} {vs}",
            "밤새 {a} {n|이가} {vc} {vs2}",
            "{a} {n2|이가} {vs}, 우리도 함께",
            "{n|을를} 부르면 {a} {n2|이가} {vs}",
        ],
        "long": [
            "{a} {n|이가} {vc}, 저 아래 {a2} {n2|이가} {vs}",
            "{n2}의 {a} 시간 내내, {n|이가} {vc} 또 {vs2}",
            "어딘가에서 {a} {n|이가} {vc}, 모든 {a2} {n2|이가} 함께 {vs}",
            "{n|이가} {a} {n2}의 들판을 건너 {vc} 또 {vs}",
            "{n|와과} {a} {n2} 사이에서 나의 참을성 많은 심장이 {vs}",
            "천천히, {a} {n|이가} {n2} 위로 {vc}, 온 밤이 {vs}",
            "{a} {n|이가} {vc}, 나는 우리가 놓아준 모든 {n2|을를} 기억한다",
            "{a} {n2|이가} 제 이름을 잊을 때까지 {n|이가} {vs}",
            "멀리서 {a} {n|이가} {vc}, {a2} {n2|이가} 귀 기울여 다가온다",
            "우리는 {n2|을를} 지나 {a} {n|을를} 품고 왔고, 그것은 손안에서 {vs}",
            "{a} 시간 내내 {n|이가} {vc}, {a2} 시간 내내 {n2|이가} {vs2}",
            "내 안의 {n|은는} 세상 끝의 {a} {n2}처럼 {vs}",
        ],
    },
    "personas": {
        "hamlet": {
            "open": [
                "사느냐 죽느냐, 그것이 {a} {n}의 문제로다",
                "오, {a} {n|이여}, 이 {n2|은는} 얼마나 놀라운 작품인가",
                "아아, 가엾은 {n|이여}! 나는 그를 알았노라",
                "우리의 끝을 빚는 {a} {n|이가} 있도다",
                "{n|은는} 너무 많이 맹세하는 것 같구나",
            ],
            "close": ["남은 것은 {a} {n}뿐이로다", "그렇게 {n|이가} {vs}, 나 또한 그러하리"],
        },
        "romantic": {
            "open": [
                "오 {a} {n|이여}, 그대 {a2} {n2}의 신부여",
                "내 가슴은 아프고, {a} {n|이가} 나의 감각을 저민다",
                "그대 아직 더럽혀지지 않은 {a} {n|이여}",
                "{a} {n|와과} {a2} {n2}의 계절이여",
                "빛나는 {n|이여}, 나도 그대처럼 변치 않기를",
            ],
            "close": ["{n|은는} 아름다움, 아름다움은 {n}, 그것이 전부", "그리고 {a} {n|이가} 영원히 {vs}"],
        },
        "zen": {
            "open": [
                "{a} {n}",
                "오래된 {n}, {n2|이가} {vs}",
                "{a} {n} 속에 오직 {n2}",
                "하나의 {n}, 하나의 {n2}",
                "{n|이가} 소리 없이 {vs}",
            ],
            "close": ["그저 {n}일 뿐", "{n|은는} 다만 {n}"],
        },
        "noir": {
            "open": [
                "{n|은는} {a} 구두를 신은 골칫거리처럼 걸어 들어왔다",
                "이 도시는 새벽 세 시의 {a} {n}처럼 {vs}",
                "담배에 불을 붙였다, 창밖에서 {n|이가} {vs}",
                "{n|은는} {a} 눈과 {a2} 알리바이를 가졌다",
                "유리창에 비, 라디오에선 {a} {n}",
            ],
            "close": ["이 도시에선 모든 {n}에 값이 매겨져 있다", "사건은 끝났지만 {n|은는} 아직 {vs}"],
        },
        "troubadour": {
            "open": [
                "노래하라, 나의 {a} {n|이여}, 내가 두고 온 {n2|을를}",
                "그대 창가 아래, {n}처럼 {a} 밤에",
                "오 {a} {n}의 여인이여",
                "나의 류트는 {a} {n}처럼 그대를 위해 {vs}",
                "{n|와과} {a} {n2|을를} 지나 그대를 찾아왔노라",
            ],
            "close": ["나는 여전히 노래하고, {n|은는} 여전히 {vs}", "그대를 위해, 나의 {a} {n|이여}"],
        },
        "stargazer": {
            "open": [
                "{a} {n} 너머로 별자리들이 {vs}",
                "오리온이 {a} {n} 위로 {vs}",
                "천 년 전 {a} {n}에서 떠나온 빛",
                "나는 {a} {n}처럼 별을 센다",
                "망원경이 {a} {n|을를} 향해 {vs}",
            ],
            "close": ["우리는 {n|을를} 기억하는 {a} 먼지", "{n|이가} 돌고, 별들이 {vs}"],
        },
    },
}

LEXICONS: dict[str, dict[str, Any]] = {"en": EN, "ko": KO}
