import threading
import time

slots = threading.Semaphore(2)  # at most two downloads at a time


def download(name):
    with slots:  # waits here while both slots are taken
        print(f"{name} starts")
        time.sleep(0.3)  # the download itself
        print(f"{name} done")


if __name__ == "__main__":
    threads = [threading.Thread(target=download, args=(f"file{n}",)) for n in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
