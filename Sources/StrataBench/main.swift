import Strata

print("strata-bench: see make bench")
