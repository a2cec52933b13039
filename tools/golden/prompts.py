"""The golden prompts and cases, shared by make_tiny.py (tokenizer checks) and dump_goldens.py."""

EMPTY = ""
PLAIN = "a dog barking in the rain"
UNICODE = "café crème brûlée — 雨の音"
# Longer than 128 T5 tokens (so T5 truncates at 128) but shorter than 512 CLAP tokens. It also holds
# characters the tokenizers never saw (an emoji, Cyrillic/Hangul mixes) and runs of spaces.
LONG = (
    "a long cinematic soundscape: heavy rain on a tin roof, distant rolling thunder, wind howling through a "
    "narrow canyon, a dog barking in the distance, footsteps crunching on gravel, a door creaking open slowly "
    "and slamming shut, a kettle whistling on a gas stove, bacon sizzling in a hot frying pan, glass shattering "
    "on a tiled floor, a crowd cheering in a stadium, children laughing on a playground, a church bell tolling "
    "in a small village, a train whistle in the distance, a helicopter flying low overhead, ocean waves crashing "
    "on a rocky shore, seagulls crying above a busy harbour, a fire crackling in a fireplace, crickets chirping "
    "on a summer night, an owl hooting in the dark woods, and finally   silence 🎻 Ωmega ünïcödé 雷が遠くで鳴っている"
)
NEGATIVE = "low quality, noise"

CONDITIONING_PROMPTS = {"empty": EMPTY, "plain": PLAIN, "unicode": UNICODE, "long": LONG}


def all_prompts():
    return list(CONDITIONING_PROMPTS.values()) + [NEGATIVE]
