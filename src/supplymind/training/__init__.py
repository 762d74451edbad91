"""Training: the pretraining corpus, pretraining, and the one fine-tuning engine."""
