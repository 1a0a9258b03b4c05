"""What a trained model needs: tasks, data, attention, the model, training, evaluation. Imports only paths and core."""
