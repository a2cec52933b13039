// Table-driven: each malformed manifest or foley.toml must be rejected with a
// message naming the file, line and column, the cue and the field.
#include <catch2/catch.hpp>

#include "common/error.h"
#include "manifest/project_loader.h"
#include "temp_project.h"

using foley::manifest::load_project;
using foley::manifest::testing::kThreeEngines;
using foley::manifest::testing::TempProject;

namespace {

struct Case {
  const char* name;
  const char* file;      // "manifests/..." (foley.toml is then kThreeEngines) or "foley.toml"
  const char* text;
  const char* expected;  // substring of the error, location included
};

const Case kCases[] = {
    // --- manifests: field names and types ---
    {"unknown field suggests", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduraton = 3\n",
     "manifests/ep1.toml:3:1: cue \"door\": field \"duraton\": unknown field (did you mean `duration`?)"},
    {"duration wrong type", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = \"3\"\n",
     "manifests/ep1.toml:3:12: cue \"door\": field \"duration\": expected a number, got a string"},
    {"duration not positive", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = -1\n",
     "manifests/ep1.toml:3:12: cue \"door\": field \"duration\": must be greater than 0, got -1"},
    {"elevenlabs duration limit", "manifests/ep1.toml",
     "[cue.door]\nengine = \"api\"\nprompt = \"door\"\nduration = 45\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"duration\": 45 s is out of range for engine profile `api` "
     "(elevenlabs): 0.5 ≤ duration ≤ 30 s"},
    {"elevenlabs duration too short", "manifests/ep1.toml",
     "[cue.door]\nengine = \"api\"\nprompt = \"door\"\nduration = 0.25\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"duration\": 0.25 s is out of range"},
    {"audioldm2 needs duration", "manifests/ep1.toml", "[cue.door]\nengine = \"local\"\nprompt = \"door\"\n",
     "manifests/ep1.toml:1:1: cue \"door\": field \"duration\": required by engine profile `local` (audioldm2)"},
    {"audioldm2 duration limit", "manifests/ep1.toml",
     "[cue.door]\nengine = \"local\"\nprompt = \"door\"\nduration = 151\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"duration\": 151 s is out of range for engine profile `local`"},
    {"exec max_duration", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 4000\n",
     "manifests/ep1.toml:3:12: cue \"door\": field \"duration\": 4000 s is out of range for engine profile `synth` "
     "(exec): 0 < duration ≤ 3600 s"},
    {"missing prompt", "manifests/ep1.toml", "\n[cue.door]\nduration = 1\n",
     "manifests/ep1.toml:2:1: cue \"door\": field \"prompt\": required for generated cues"},
    {"blank prompt", "manifests/ep1.toml", "[cue.door]\nprompt = \"  \\t \"\nduration = 1\n",
     "manifests/ep1.toml:2:10: cue \"door\": field \"prompt\": must not be empty"},
    {"unknown engine profile", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nengine = \"synt\"\n",
     "manifests/ep1.toml:4:10: cue \"door\": field \"engine\": unknown engine profile `synt` (did you mean `synth`?)"},
    {"bad category", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\ncategory = \"sfxx\"\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"category\": unknown category `sfxx` (did you mean `sfx`?)"},
    {"bad type", "manifests/ep1.toml", "[cue.gap]\ntype = \"silense\"\nclip = 1\n",
     "manifests/ep1.toml:2:8: cue \"gap\": field \"type\": unknown cue type `silense` (did you mean `silence`?)"},
    {"silence needs clip", "manifests/ep1.toml", "[cue.gap]\ntype = \"silence\"\n",
     "manifests/ep1.toml:1:1: cue \"gap\": field \"clip\": required for silence cues"},
    {"clip zero", "manifests/ep1.toml", "[cue.gap]\ntype = \"silence\"\nclip = 0\n",
     "manifests/ep1.toml:3:8: cue \"gap\": field \"clip\": must be greater than 0"},
    {"source needs file", "manifests/ep1.toml", "[cue.lib]\ntype = \"source\"\n",
     "manifests/ep1.toml:1:1: cue \"lib\": field \"source\": required for source cues"},
    {"source missing on disk", "manifests/ep1.toml", "[cue.lib]\ntype = \"source\"\nsource = \"lib/nope.wav\"\n",
     "manifests/ep1.toml:3:10: cue \"lib\": field \"source\": source file `lib/nope.wav` does not exist"},
    {"source escapes with ..", "manifests/ep1.toml",
     "[cue.lib]\ntype = \"source\"\nsource = \"lib/../../etc/passwd\"\n",
     "manifests/ep1.toml:3:10: cue \"lib\": field \"source\": `lib/../../etc/passwd` escapes the project root"},
    {"source absolute", "manifests/ep1.toml", "[cue.lib]\ntype = \"source\"\nsource = \"/etc/passwd\"\n",
     "manifests/ep1.toml:3:10: cue \"lib\": field \"source\": `/etc/passwd` must be a path relative to the project root"},
    {"source on generated cue", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nsource = \"x.wav\"\n",
     "manifests/ep1.toml:4:10: cue \"door\": field \"source\": only cues of type \"source\" take a source file"},
    {"flac with 32 bits", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nformat = \"flac\"\nbit_depth = 32\n",
     "manifests/ep1.toml:5:13: cue \"door\": field \"bit_depth\": FLAC stores 16 or 24 bit samples"},
    {"sample rate range", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nsample_rate = 4000\n",
     "manifests/ep1.toml:4:15: cue \"door\": field \"sample_rate\": must be between 8000 and 192000, got 4000"},
    {"bit depth choice", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nbit_depth = 20\n",
     "manifests/ep1.toml:4:13: cue \"door\": field \"bit_depth\": must be `16`, `24` or `32`, got 20"},
    {"channels choice", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nchannels = 3\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"channels\": must be `1`, `2` or `\"source\"`"},
    {"channels name", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nchannels = \"stereo\"\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"channels\": must be `1`, `2` or `\"source\"` (keep the source's "
     "layout), got \"stereo\""},
    {"loudness preset unknown", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nloudness = \"podcats\"\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"loudness\": unknown loudness preset `podcats` (did you mean "
     "`podcast`?)"},
    {"loudness wrong type", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nloudness = true\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"loudness\": expected a number or a string, got a boolean"},
    {"true peak range", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nloudness = -16\ntrue_peak = 0.5\n",
     "manifests/ep1.toml:5:13: cue \"door\": field \"true_peak\": must be between -20 and 0, got 0.5"},
    {"true peak without target", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\ntrue_peak = -2\n",
     "manifests/ep1.toml:4:13: cue \"door\": field \"true_peak\": sets the limiter's ceiling for a loudness target"},
    {"loudness measure choice", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nloudness = -18\nloudness_measure = \"momentary\"\n",
     "manifests/ep1.toml:5:20: cue \"door\": field \"loudness_measure\": unknown loudness measure `momentary`"},
    {"highpass too low", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nhighpass = 2\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"highpass\": must be 0 (off) or between 5 and 200 Hz, got 2"},
    {"loudness range", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nloudness = 5\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"loudness\": must be between -70 and 0, got 5"},
    {"gain range", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\ngain_db = 30.5\n",
     "manifests/ep1.toml:4:11: cue \"door\": field \"gain_db\": must be between -60 and 24, got 30.5"},
    {"fade range", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nfade_in = 700\n",
     "manifests/ep1.toml:4:11: cue \"door\": field \"fade_in\": must be between 0 and 600, got 700"},
    {"fade not a number", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nfade_out = nan\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"fade_out\": must be between 0 and 600, got nan"},
    {"prompt influence range", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nprompt_influence = 1.5\n",
     "manifests/ep1.toml:4:20: cue \"door\": field \"prompt_influence\": must be between 0 and 1, got 1.5"},
    {"seed negative", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nseed = -1\n",
     "manifests/ep1.toml:4:8: cue \"door\": field \"seed\": must be ≥ 0, got -1"},
    {"seed not integer", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nseed = 1.5\n",
     "manifests/ep1.toml:4:8: cue \"door\": field \"seed\": expected an integer, got a floating-point number"},
    {"loop not boolean", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nloop = \"yes\"\n",
     "manifests/ep1.toml:4:8: cue \"door\": field \"loop\": expected true or false, got a string"},
    {"tags element type", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\ntags = [\"a\", 1]\n",
     "manifests/ep1.toml:4:8: cue \"door\": field \"tags\": expected an array of strings, element 1 is an integer"},
    {"invalid cue id", "manifests/ep1.toml", "[cue.\"bad/id\"]\nprompt = \"door\"\nduration = 1\n",
     "manifests/ep1.toml:1:6: cue \"bad/id\": invalid cue id"},
    {"cue id with a NUL: the whole message, the NUL escaped", "manifests/ep1.toml",
     "[cue.\"a\\u0000b\"]\nprompt = \"door\"\nduration = 1\n",
     "manifests/ep1.toml:1:6: cue \"a\\x00b\": invalid cue id: use 1-128 characters"},
    {"cue id with an ESC", "manifests/ep1.toml", "[cue.\"a\\u001bb\"]\nprompt = \"door\"\nduration = 1\n",
     "cue \"a\\x1bb\": invalid cue id"},
    {"cue id with dots", "manifests/ep1.toml", "[cue.\"a..b\"]\nprompt = \"door\"\nduration = 1\n",
     "cue \"a..b\": invalid cue id"},
    {"syntax error", "manifests/ep1.toml", "[cue.door]\nprompt = \"unterminated\nduration = 1\n",
     "manifests/ep1.toml:2:"},
    {"unknown top-level table", "manifests/ep1.toml", "[cues.door]\nprompt = \"door\"\n",
     "manifests/ep1.toml:1:2: field \"cues\": unknown top-level key; a manifest holds [defaults] and [cue.<id>] "
     "tables (did you mean `cue`?)"},
    {"cue field at top level", "manifests/ep1.toml", "prompt = \"door\"\n",
     "manifests/ep1.toml:1:1: field \"prompt\": unknown top-level key; a manifest holds [defaults] and [cue.<id>] "
     "tables (cue fields go inside"},
    {"cue not a table", "manifests/ep1.toml", "[cue]\ndoor = 3\n",
     "manifests/ep1.toml:2:8: cue \"door\": expected a table [cue.door], got an integer"},
    {"defaults unknown field", "manifests/ep1.toml", "[defaults]\nenigne = \"synth\"\n",
     "manifests/ep1.toml:2:1: field \"defaults.enigne\": unknown field (did you mean `engine`?)"},
    {"defaults bad value", "manifests/ep1.toml", "[defaults]\nduration = 0\n",
     "manifests/ep1.toml:2:12: field \"defaults.duration\": must be greater than 0, got 0"},
    {"non-ASCII bare key", "manifests/ep1.toml", "[cue.door]\npr\xc3\xb6mpt = \"door\"\n",
     "manifests/ep1.toml:2:3: TOML syntax error: non-ASCII character outside a string or comment"},
    {"hidden manifest file", "manifests/.old.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\n",
     "manifests/.old.toml: manifest name `.old`"},
    {"manifest name with space", "manifests/ep 1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\n",
     "manifests/ep 1.toml: manifest name `ep 1`: folder and file names"},

    // --- foley.toml ---
    {"unknown engine kind", "foley.toml", "[engines.synth]\nengine = \"exex\"\n",
     "foley.toml:2:10: field \"engines.synth.engine\": unknown engine `exex` (did you mean `exec`?)"},
    {"profile without engine", "foley.toml", "[engines.synth]\ncommand = [\"x\"]\n",
     "foley.toml:1:1: field \"engines.synth.engine\": missing"},
    {"exec needs command", "foley.toml", "[engines.synth]\nengine = \"exec\"\n",
     "foley.toml:1:1: field \"engines.synth.command\": required by engine `exec` but missing"},
    {"exec command empty", "foley.toml", "[engines.synth]\nengine = \"exec\"\ncommand = []\n",
     "foley.toml:3:11: field \"engines.synth.command\": must hold at least one string"},
    {"exec unknown placeholder", "foley.toml", "[engines.synth]\nengine = \"exec\"\ncommand = [\"gen\", \"{promt}\"]\n",
     "foley.toml:3:11: field \"engines.synth.command\": unknown placeholder `{promt}` (did you mean `prompt`?)"},
    {"exec ext", "foley.toml", "[engines.synth]\nengine = \"exec\"\ncommand = [\"gen\"]\next = \"WAV\"\n",
     "foley.toml:4:7: field \"engines.synth.ext\": must be 1-8 characters of [a-z0-9]"},
    {"api key in config", "foley.toml", "[engines.api]\nengine = \"elevenlabs\"\napi_key = \"sk_123\"\n",
     "foley.toml:3:1: field \"engines.api.api_key\": never write an API key into foley.toml; set ELEVENLABS_API_KEY"},
    {"elevenlabs output format", "foley.toml",
     "[engines.api]\nengine = \"elevenlabs\"\noutput_format = \"mp3_44100_129\"\n",
     "foley.toml:3:17: field \"engines.api.output_format\": `mp3_44100_129` is not one of"},
    {"elevenlabs unknown setting", "foley.toml", "[engines.api]\nengine = \"elevenlabs\"\ntmeout = 3\n",
     "foley.toml:3:1: field \"engines.api.tmeout\": unknown setting for engine `elevenlabs` (did you mean `timeout`?)"},
    {"elevenlabs base url", "foley.toml", "[engines.api]\nengine = \"elevenlabs\"\nbase_url = \"ftp://x\"\n",
     "foley.toml:3:12: field \"engines.api.base_url\": must start with http:// or https://"},
    {"elevenlabs max_attempts", "foley.toml", "[engines.api]\nengine = \"elevenlabs\"\nmax_attempts = 0\n",
     "foley.toml:3:16: field \"engines.api.max_attempts\": must be ≥ 1 and ≤ 20, got 0"},
    {"audioldm2 model empty", "foley.toml", "[engines.local]\nengine = \"audioldm2\"\nmodel = \"\"\n",
     "foley.toml:3:9: field \"engines.local.model\": must not be empty"},
    {"audioldm2 steps", "foley.toml", "[engines.local]\nengine = \"audioldm2\"\nmodel = \".\"\nsteps = 0\n",
     "foley.toml:4:9: field \"engines.local.steps\": must be ≥ 1 and ≤ 1000, got 0"},
    {"audioldm2 device", "foley.toml", "[engines.local]\nengine = \"audioldm2\"\nmodel = \".\"\ndevice = \"cdua\"\n",
     "foley.toml:4:10: field \"engines.local.device\": `cdua` is not one of `cpu`, `cuda`, `cuda:N` or `auto` (did "
     "you mean `cuda`?)"},
    {"audioldm2 guidance type", "foley.toml",
     "[engines.local]\nengine = \"audioldm2\"\nmodel = \".\"\nguidance = \"high\"\n",
     "foley.toml:4:12: field \"engines.local.guidance\": expected a number"},
    {"concurrency range", "foley.toml", "[engines.synth]\nengine = \"exec\"\ncommand = [\"g\"]\nconcurrency = 0\n",
     "foley.toml:4:15: field \"engines.synth.concurrency\": must be between 1 and 256, got 0"},
    {"gpu slots range", "foley.toml", "[project]\ngpu_slots = 65\n",
     "foley.toml:2:13: field \"project.gpu_slots\": must be between 1 and 64, got 65"},
    {"farm unknown field", "foley.toml", "[farm]\nslot = 2\n",
     "foley.toml:2:1: field \"farm.slot\": unknown field (did you mean `slots`?)"},
    {"farm launcher type", "foley.toml", "[farm]\nlauncher = \"srun\"\n",
     "foley.toml:2:12: field \"farm.launcher\": expected an array of strings, got a string"},
    {"farm paid profile", "foley.toml",
     "[engines.sfx]\nengine = \"elevenlabs\"\n[farm]\nlauncher = [\"srun\"]\nprofiles = [\"sfx\"]\n",
     "field \"farm.profiles\": profile `sfx` calls a paid API: its edges stay on the host that holds the key"},
    {"default engine unknown", "foley.toml",
     "[project]\ndefault_engine = \"synht\"\n[engines.synth]\nengine = \"exec\"\ncommand = [\"g\"]\n",
     "foley.toml:2:18: field \"project.default_engine\": no engine profile `synht` in [engines] (did you mean "
     "`synth`?)"},
    {"profile name", "foley.toml", "[engines.\"my synth\"]\nengine = \"exec\"\ncommand = [\"g\"]\n",
     "foley.toml:1:10: field \"engines.my synth\": engine profile names use only letters"},
    {"unknown table", "foley.toml", "[projet]\nname = \"x\"\n",
     "foley.toml:1:2: field \"projet\": unknown table (did you mean `project`?)"},
    {"project unknown key", "foley.toml", "[project]\noutput_dri = \"o\"\n",
     "foley.toml:2:1: field \"project.output_dri\": unknown field (did you mean `output_dir`?)"},
    {"project dir type", "foley.toml", "[project]\ncache_dir = 5\n",
     "foley.toml:2:13: field \"project.cache_dir\": expected a string, got an integer"},
    {"render format", "foley.toml", "[render]\nformat = \"mp4\"\n",
     "foley.toml:2:10: field \"render.format\": unknown format `mp4` (did you mean `mp3`?)"},
    {"opus sample rate", "foley.toml", "[render]\nformat = \"opus\"\nsample_rate = 44100\n",
     "foley.toml:3:15: field \"render.sample_rate\": opus carries 8000, 12000, 16000, 24000, 48000 Hz, not 44100"},
    {"bitrate on wav", "manifests/ep1.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\nbitrate = 128\n",
     "manifests/ep1.toml:4:11: cue \"door\": field \"bitrate\": only mp3 and opus take a bitrate"},
    {"mp3 bitrate range", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nformat = \"mp3\"\nbitrate = 400\n",
     "manifests/ep1.toml:5:11: cue \"door\": field \"bitrate\": mp3 at 48000 Hz takes 32..320 kbps, not 400"},
    {"render takes no cue field", "foley.toml", "[render]\nduration = 3\n",
     "foley.toml:2:1: field \"render.duration\": not a render setting"},
    {"bit depth on mp3", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nformat = \"mp3\"\nbit_depth = 16\n",
     "manifests/ep1.toml:5:13: cue \"door\": field \"bit_depth\": mp3 has no bit depth"},
    {"bit depth on a cue of an opus manifest", "manifests/ep1.toml",
     "[defaults]\nformat = \"opus\"\n[cue.door]\nprompt = \"door\"\nduration = 1\nbit_depth = 24\n",
     "manifests/ep1.toml:6:13: cue \"door\": field \"bit_depth\": opus has no bit depth"},
    {"render bit depth on ogg", "foley.toml", "[render]\nformat = \"ogg\"\nbit_depth = 24\n",
     "foley.toml:3:13: field \"render.bit_depth\": ogg has no bit depth"},
    {"unknown category suggests UCS", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\ncategory = \"foly\"\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"category\": unknown category `foly` (did you mean `FOLEY`?)"},
    {"unknown UCS CatID suggests", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\ncategory = \"DOORWod\"\n",
     "field \"category\": unknown category `DOORWod` (did you mean `DOORWood`?)"},
    {"unknown UCS pair", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\ncategory = \"DOORS-GLAS\"\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"category\": unknown category `DOORS-GLAS`"},
    {"shared UCS subcategory", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\ncategory = \"misc\"\n",
     "manifests/ep1.toml:4:12: cue \"door\": field \"category\": `misc` is a UCS subcategory of 77 categories"},
    {"ucs naming without a UCS category", "manifests/ep1.toml",
     "[defaults]\nnaming = \"ucs\"\n[cue.door]\nprompt = \"door\"\nduration = 1\n",
     "manifests/ep1.toml:2:10: cue \"door\": field \"naming\": \"ucs\" names files by their UCS category, and this "
     "cue has none: UCS file names start with a UCS CatID, and category `sfx` is foley's own"},
    {"ucs naming with a category without MISC", "manifests/ep1.toml",
     "[cue.whoosh]\nprompt = \"whoosh\"\nduration = 1\nnaming = \"ucs\"\ncategory = \"swooshes\"\n",
     "manifests/ep1.toml:5:12: cue \"whoosh\": field \"category\": UCS category `SWOOSHES` has no MISC subcategory"},
    {"fx_name with an underscore", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nnaming = \"ucs\"\ncategory = \"DOORWood\"\nfx_name = \"a_b\"\n",
     "manifests/ep1.toml:6:11: cue \"door\": field \"fx_name\": holds `_`: UCS file names separate their blocks"},
    {"fx_name too long", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nfx_name = \"a door that slams very very hard\"\n",
     "field \"fx_name\": is 32 characters long; a UCS name block here takes at most 25"},
    {"fx_name without ucs naming", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nfx_name = \"Slam\"\n",
     "manifests/ep1.toml:4:11: cue \"door\": field \"fx_name\": is a block of UCS file names, and this cue is named "
     "by its id: set `naming = \"ucs\"` too"},
    {"naming choice", "foley.toml", "[render]\nnaming = \"UCS\"\n",
     "foley.toml:2:10: field \"render.naming\": unknown naming `UCS` (did you mean `ucs`?)"},
    {"creator_id with a slash", "foley.toml", "[render]\ncreator_id = \"J/D\"\n",
     "foley.toml:2:14: field \"render.creator_id\": holds `/`"},
    {"render flac 32", "foley.toml", "[render]\nformat = \"flac\"\nbit_depth = 32\n",
     "foley.toml:3:13: field \"render.bit_depth\": FLAC stores 16 or 24 bit samples"},
    {"config syntax error", "foley.toml", "[project\nname = 1\n", "foley.toml:1:"},
    // --- [cache.remote] ---
    {"remote url with a password", "foley.toml", "[cache.remote]\nurl = \"https://me:pw@h/c\"\n",
     "foley.toml:2:7: field \"cache.remote.url\": must not carry a user or password"},
    {"remote url scheme", "foley.toml", "[cache.remote]\nurl = \"ftp://h/c\"\n",
     "foley.toml:2:7: field \"cache.remote.url\": must start with http://, https:// or s3://"},
    {"remote unknown key", "foley.toml", "[cache.remote]\nurl = \"http://h/c\"\ntimout = 3\n",
     "foley.toml:3:1: field \"cache.remote.timout\": unknown field"},
    {"remote mode", "foley.toml", "[cache.remote]\nurl = \"http://h/c\"\nmode = \"write\"\n",
     "foley.toml:3:8: field \"cache.remote.mode\": must be \"read-write\" or \"read-only\""},
    {"remote timeout range", "foley.toml", "[cache.remote]\nurl = \"http://h/c\"\ndata_timeout = 0\n",
     "foley.toml:3:16: field \"cache.remote.data_timeout\": must be more than 0"},
    {"remote s3 needs an endpoint", "foley.toml", "[cache.remote]\nurl = \"s3://bucket/p\"\n",
     "foley.toml:1:1: field \"cache.remote\": an s3:// URL needs `endpoint`"},
    {"remote without url", "foley.toml", "[cache.remote]\nmode = \"read-only\"\n",
     "field \"cache.remote\": no `url`"},
    {"cache unknown key", "foley.toml", "[cache]\nremot = 1\n",
     "foley.toml:2:1: field \"cache.remot\": unknown field (did you mean `remote`?)"},
    // --- hostile input ---
    {"prompt of only NUL", "manifests/ep1.toml", "[cue.door]\nprompt = \"\\u0000\"\nduration = 1\n",
     "manifests/ep1.toml:2:10: cue \"door\": field \"prompt\": contains the control character U+0000 at character 1"},
    {"prompt with ESC", "manifests/ep1.toml", "[cue.door]\nprompt = \"door \\u001b[31m\"\nduration = 1\n",
     "field \"prompt\": contains the control character U+001B at character 6"},
    {"prompt with C1 control", "manifests/ep1.toml", "[cue.door]\nprompt = \"door \\u0085\"\nduration = 1\n",
     "field \"prompt\": contains the control character U+0085"},
    {"prompt with RLO", "manifests/ep1.toml", "[cue.door]\nprompt = \"door \\u202e slam\"\nduration = 1\n",
     "field \"prompt\": contains the bidirectional control U+202E at character 6"},
    {"prompt of zero-width only", "manifests/ep1.toml", "[cue.door]\nprompt = \"\\u200b\\u200d \"\nduration = 1\n",
     "field \"prompt\": must not be empty (it holds only whitespace or invisible characters)"},
    {"prompt of U+2028 only", "manifests/ep1.toml", "[cue.door]\nprompt = \"\\u2028\"\nduration = 1\n",
     "manifests/ep1.toml:2:10: cue \"door\": field \"prompt\": contains the line or paragraph separator U+2028"},
    {"negative prompt with NUL", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nnegative_prompt = \"a\\u0000\"\nduration = 1\n",
     "field \"negative_prompt\": contains the control character U+0000"},
    {"NUL in source", "manifests/ep1.toml", "[cue.s]\ntype = \"source\"\nsource = \"a\\u0000b.wav\"\n",
     "cue \"s\": field \"source\": the path holds a control character"},
    {"manifest named all", "manifests/all.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\n",
     "manifest name `all` is reserved"},
    {"manifest named build.ninja", "manifests/build.ninja.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\n",
     "manifest name `build.ninja` is reserved"},
    {"manifest named foley.toml", "manifests/foley.toml.toml", "[cue.door]\nprompt = \"door\"\nduration = 1\n",
     "manifest name `foley.toml` is reserved"},
    {"backoff 1e308", "foley.toml", "[engines.api]\nengine = \"elevenlabs\"\nbackoff_seconds = 1e308\n",
     "foley.toml:3:19: field \"engines.api.backoff_seconds\": must be ≥ 0 and ≤ 3600, got 1e+308"},
    {"cue prompt_influence just above 1", "manifests/ep1.toml",
     "[cue.door]\nprompt = \"door\"\nduration = 1\nprompt_influence = 1.0000001\n",
     "manifests/ep1.toml:4:20: cue \"door\": field \"prompt_influence\": must be between 0 and 1, got 1.0000001"},
    {"prompt_influence just above 1", "foley.toml", "[engines.api]\nengine = \"elevenlabs\"\nprompt_influence = 1.0000001\n",
     "field \"engines.api.prompt_influence\": must be ≥ 0 and ≤ 1, got 1.0000001"},
};

}  // namespace

TEST_CASE("a prompt longer than its engine takes is refused", "[manifest][malformed]") {
  TempProject project;
  project.mkdir("model");
  project.write("foley.toml", kThreeEngines);
  project.write("manifests/ep1.toml", "[cue.door]\nengine = \"api\"\nprompt = \"" + std::string(1001, 'a') +
                                          "\"\nduration = 1\n");
  CHECK_THROWS_WITH(load_project(project.root()),
                    Catch::Contains("field \"prompt\": is 1001 characters long; this engine takes at most 1000 "
                                    "(engine `elevenlabs`)"));
  project.write("manifests/ep1.toml", "[cue.door]\nengine = \"api\"\nprompt = \"" + std::string(1000, 'a') +
                                          "\"\nduration = 1\n");
  CHECK_NOTHROW(load_project(project.root()));
}

TEST_CASE("a missing model folder is no manifest error: its profile is marked unavailable", "[manifest]") {
  TempProject project;
  project.write("foley.toml", "[engines.local]\nengine = \"audioldm2\"\nmodel = \"weights/x\"\n");
  project.write("manifests/ep1.toml", "[cue.wind]\nengine = \"local\"\nprompt = \"wind\"\nduration = 1\n");
  foley::manifest::Project loaded = load_project(project.root());
  const std::string& why = loaded.config.engines.at("local").unavailable;
  CHECK_THAT(why, Catch::StartsWith("foley.toml:3:9: field \"engines.local.model\": model folder `weights/x` does "
                                    "not exist"));
  CHECK_THAT(why, Catch::Contains("tools/fetch-model.sh audioldm2"));
  project.mkdir("weights/x");
  CHECK(load_project(project.root()).config.engines.at("local").unavailable.empty());
}

TEST_CASE("a UTF-8 byte order mark is accepted", "[manifest]") {
  TempProject project;
  project.mkdir("model");
  project.write("foley.toml", std::string("\xEF\xBB\xBF") + kThreeEngines);
  project.write("manifests/ep1.toml", "\xEF\xBB\xBF[cue.door]\nprompt = \"door\"\nduration = 1\n");
  CHECK(load_project(project.root()).cues.size() == 1);
}

TEST_CASE("malformed manifests and configs are rejected with located messages", "[manifest][malformed]") {
  REQUIRE(std::size(kCases) >= 30);
  for (const Case& c : kCases) {
    DYNAMIC_SECTION(c.name) {
      TempProject project;
      project.mkdir("model");
      std::string file = c.file;
      if (file == "foley.toml") {
        project.write("foley.toml", c.text);
      } else {
        project.write("foley.toml", kThreeEngines);
        project.write(file, c.text);
      }
      std::string message;
      try {
        load_project(project.root());
      } catch (const foley::Error& e) {
        message = e.what();
        CHECK(e.exit_code() == 2);
      }
      INFO("case: " << c.name << "\nmessage:\n" << message);
      CHECK(message.find(c.expected) != std::string::npos);
    }
  }
}
