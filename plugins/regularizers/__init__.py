"""Built-in regularisers composable with any loss."""
