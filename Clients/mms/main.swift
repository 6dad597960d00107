print("mms")
