import threading
import time

def worker():
    print(f"Worker thread {threading.get_ident()} started")
    time.sleep(2)
    print(f"Worker thread {threading.get_ident()} finished")

t = threading.Thread(target=worker)
print(f"Thread {t.ident} created, state: {t.is_alive()}")

t.start()
print(f"Thread {t.ident} started, state: {t.is_alive()}")

time.sleep(1)
print(f"Thread {t.ident} state: {t.is_alive()}")

t.join()
print(f"Thread {t.ident} joined, state: {t.is_alive()}")
