"""What a trained model needs: tasks and data, attention, the model, training and evaluation. Imports only core."""
