print("engine-bench: not written yet")
