"""The DeepSeek Cost Book's analysis package: data, parameters, models and build."""
