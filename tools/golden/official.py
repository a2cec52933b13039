"""Component configs of the official AudioLDM 2 checkpoints (cvssp/audioldm2, -large, -music).

Written from the hub repositories' config files (cvssp/audioldm2, -large, -music) and the classes they name.
Each entry is the dict that goes into <component>/config.json (or scheduler/scheduler_config.json).
make_tiny.py derives the tiny test models from these by shrinking sizes only, so the structure
(block types, cross-attention layout, activations, epsilons, scheduler) stays the real one.
"""
import copy

DIFFUSERS_VERSION_OF_HUB = "0.21.0.dev0"

# text_encoder/config.json: ClapModel; text sizes are the ClapTextConfig defaults (roberta-base).
CLAP = {
    "architectures": ["ClapModel"],
    "model_type": "clap",
    "logit_scale_init_value": 14.285714285714285,
    "projection_dim": 512,
    "projection_hidden_act": "relu",
    "initializer_factor": 1.0,
    # Keys of the composite config in the hub file; they do not change the text model.
    "hidden_size": 768,
    "num_hidden_layers": 16,
    "text_config": {
        "model_type": "clap_text_model",
        "vocab_size": 50265,
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 514,
        "type_vocab_size": 1,
        "layer_norm_eps": 1e-12,
        "projection_dim": 512,
        "projection_hidden_act": "relu",
        "pad_token_id": 1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "position_embedding_type": "absolute",
        "projection_hidden_size": 768,
        "fusion_hidden_size": 768,
        "fusion_num_hidden_layers": 2,
        "initializer_range": 0.02,
    },
    "audio_config": {
        "model_type": "clap_audio_model",
        "window_size": 8,
        "num_mel_bins": 64,
        "spec_size": 256,
        "hidden_act": "gelu",
        "patch_size": 4,
        "patch_stride": [4, 4],
        "num_classes": 527,
        "hidden_size": 1024,
        "projection_dim": 512,
        "depths": [2, 2, 12, 2],
        "num_attention_heads": [4, 8, 16, 32],
        "enable_fusion": False,
        "hidden_dropout_prob": 0.1,
        "fusion_type": None,
        "patch_embed_input_channels": 1,
        "flatten_patch_embeds": True,
        "patch_embeds_hidden_size": 128,
        "enable_patch_layer_norm": True,
        "drop_path_rate": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "qkv_bias": True,
        "mlp_ratio": 4.0,
        "aff_block_r": 4,
        "num_hidden_layers": 4,
        "projection_hidden_act": "relu",
        "layer_norm_eps": 1e-5,
        "initializer_factor": 1.0,
    },
}

# text_encoder_2/config.json: the encoder of google/flan-t5-large.
T5 = {
    "architectures": ["T5EncoderModel"],
    "model_type": "t5",
    "d_ff": 2816,
    "d_kv": 64,
    "d_model": 1024,
    "decoder_start_token_id": 0,
    "dense_act_fn": "gelu_new",
    "dropout_rate": 0.1,
    "eos_token_id": 1,
    "feed_forward_proj": "gated-gelu",
    "initializer_factor": 1.0,
    "is_encoder_decoder": True,
    "is_gated_act": True,
    "layer_norm_epsilon": 1e-6,
    "n_positions": 512,
    "num_decoder_layers": 24,
    "num_heads": 16,
    "num_layers": 24,
    "output_past": True,
    "pad_token_id": 0,
    "relative_attention_max_distance": 128,
    "relative_attention_num_buckets": 32,
    "tie_word_embeddings": False,
    "vocab_size": 32128,
}

# projection_model/config.json (the key "langauge_model_dim" is misspelt upstream, on purpose here).
PROJECTION = {
    "_class_name": "AudioLDM2ProjectionModel",
    "_diffusers_version": DIFFUSERS_VERSION_OF_HUB,
    "text_encoder_dim": 512,
    "text_encoder_1_dim": 1024,
    "langauge_model_dim": 768,
}

# language_model/config.json: GPT2Model (gpt2 base) plus the custom max_new_tokens.
GPT2 = {
    "architectures": ["GPT2Model"],
    "model_type": "gpt2",
    "activation_function": "gelu_new",
    "attn_pdrop": 0.1,
    "bos_token_id": 50256,
    "embd_pdrop": 0.1,
    "eos_token_id": 50256,
    "initializer_range": 0.02,
    "layer_norm_epsilon": 1e-5,
    "max_new_tokens": 8,
    "n_ctx": 1024,
    "n_embd": 768,
    "n_head": 12,
    "n_inner": None,
    "n_layer": 12,
    "n_positions": 1024,
    "reorder_and_upcast_attn": False,
    "resid_pdrop": 0.1,
    "scale_attn_by_inverse_layer_idx": False,
    "scale_attn_weights": True,
    "summary_activation": None,
    "summary_first_dropout": 0.1,
    "summary_proj_to_labels": True,
    "summary_type": "cls_index",
    "summary_use_proj": True,
    "use_cache": True,
    "vocab_size": 50257,
}

# unet/config.json of cvssp/audioldm2 (verbatim values, reference section 7.1).
UNET = {
    "_class_name": "AudioLDM2UNet2DConditionModel",
    "_diffusers_version": DIFFUSERS_VERSION_OF_HUB,
    "act_fn": "silu",
    "attention_head_dim": 8,
    "block_out_channels": [128, 256, 384, 640],
    "class_embed_type": None,
    "class_embeddings_concat": False,
    "conv_in_kernel": 3,
    "conv_out_kernel": 3,
    "cross_attention_dim": [[None, 768, 1024]] * 4,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 8,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "mid_block_type": "UNetMidBlock2DCrossAttn",
    "norm_eps": 1e-5,
    "norm_num_groups": 32,
    "num_attention_heads": None,
    "num_class_embeds": None,
    "only_cross_attention": False,
    "out_channels": 8,
    "projection_class_embeddings_input_dim": None,
    "resnet_time_scale_shift": "default",
    "sample_size": 256,
    "time_cond_proj_dim": None,
    "time_embedding_act_fn": None,
    "time_embedding_dim": None,
    "time_embedding_type": "positional",
    "timestep_post_act": None,
    "transformer_layers_per_block": 1,
    "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
    "upcast_attention": False,
    "use_linear_projection": False,
}

# Large: one extra self-attention-only slot and 2 BasicTransformerBlocks per transformer (reference 7.1, inferred
# from the original config and the converter, confirmed by the 718.0 M parameter count / 2.87 GB file size).
UNET_LARGE = dict(UNET, cross_attention_dim=[[None, 768, 1024, None]] * 4, transformer_layers_per_block=2)

# vae/config.json (base). The scaling factor of -large and -music was not verified; the base value is used.
VAE = {
    "_class_name": "AutoencoderKL",
    "_diffusers_version": DIFFUSERS_VERSION_OF_HUB,
    "act_fn": "silu",
    "block_out_channels": [128, 256, 512],
    "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
    "force_upcast": True,
    "in_channels": 1,
    "latent_channels": 8,
    "layers_per_block": 2,
    "norm_num_groups": 32,
    "out_channels": 1,
    "sample_size": 1024,
    "scaling_factor": 0.4110932946205139,
    "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
}

# vocoder/config.json: SpeechT5HifiGan as used by the AudioLDM family.
VOCODER = {
    "architectures": ["SpeechT5HifiGan"],
    "model_type": "hifigan",
    "initializer_range": 0.01,
    "leaky_relu_slope": 0.1,
    "model_in_dim": 64,
    "normalize_before": False,
    "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
    "resblock_kernel_sizes": [3, 7, 11],
    "sampling_rate": 16000,
    "upsample_initial_channel": 1024,
    "upsample_kernel_sizes": [16, 16, 8, 4, 4],
    "upsample_rates": [5, 4, 2, 2, 2],
}

# scheduler/scheduler_config.json.
SCHEDULER = {
    "_class_name": "DDIMScheduler",
    "_diffusers_version": DIFFUSERS_VERSION_OF_HUB,
    "beta_end": 0.0195,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.0015,
    "clip_sample": False,
    "clip_sample_range": 1.0,
    "dynamic_thresholding_ratio": 0.995,
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "rescale_betas_zero_snr": False,
    "sample_max_value": 1.0,
    "set_alpha_to_one": False,
    "steps_offset": 1,
    "thresholding": False,
    "timestep_spacing": "leading",
    "trained_betas": None,
}

# feature_extractor/preprocessor_config.json (ClapFeatureExtractor; used only for ranking).
FEATURE_EXTRACTOR = {
    "feature_extractor_type": "ClapFeatureExtractor",
    "feature_size": 64,
    "fft_window_size": 1024,
    "frequency_max": 14000,
    "frequency_min": 50,
    "hop_length": 480,
    "max_length_s": 10,
    "n_fft": 1024,
    "nb_frequency_bins": 513,
    "nb_max_frames": 1000,
    "nb_max_samples": 480000,
    "padding": "repeatpad",
    "padding_side": "right",
    "padding_value": 0.0,
    "processor_class": "ClapProcessor",
    "return_attention_mask": False,
    "sampling_rate": 48000,
    "top_db": None,
    "truncation": "rand_trunc",
}

MODEL_INDEX = {
    "_class_name": "AudioLDM2Pipeline",
    "_diffusers_version": DIFFUSERS_VERSION_OF_HUB,
    "feature_extractor": ["transformers", "ClapFeatureExtractor"],
    "language_model": ["transformers", "GPT2Model"],
    "projection_model": ["audioldm2", "AudioLDM2ProjectionModel"],
    "scheduler": ["diffusers", "DDIMScheduler"],
    "text_encoder": ["transformers", "ClapModel"],
    "text_encoder_2": ["transformers", "T5EncoderModel"],
    "tokenizer": ["transformers", "RobertaTokenizerFast"],
    "tokenizer_2": ["transformers", "T5TokenizerFast"],
    "unet": ["audioldm2", "AudioLDM2UNet2DConditionModel"],
    "vae": ["diffusers", "AutoencoderKL"],
    "vocoder": ["transformers", "SpeechT5HifiGan"],
}


def variant(name):
    """Returns {component: config dict} for 'audioldm2', 'audioldm2-large' or 'audioldm2-music'."""
    comps = {
        "text_encoder": CLAP,
        "text_encoder_2": T5,
        "projection_model": PROJECTION,
        "language_model": GPT2,
        "unet": UNET_LARGE if name == "audioldm2-large" else UNET,
        "vae": VAE,
        "vocoder": VOCODER,
    }
    if name not in ("audioldm2", "audioldm2-large", "audioldm2-music"):
        raise ValueError(f"unknown variant {name}")
    return copy.deepcopy(comps)
