"""Emergency plans and drills: the plan library, its activations from the board, drill reports."""
