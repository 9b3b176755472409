"""Stage 4: conversation state and orchestration; `assistant.ask(user, query)`."""
