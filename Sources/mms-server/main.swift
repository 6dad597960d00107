print("mms-server")
