"""Stage 5: the Gradio chat app."""
