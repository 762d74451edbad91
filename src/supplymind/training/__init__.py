"""Training: the pretraining corpus, and later the loops that pretrain and fine-tune backbones."""
