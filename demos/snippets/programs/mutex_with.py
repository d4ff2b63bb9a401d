import threading
import time

balance = 0
balance_lock = threading.Lock()


def deposit(name, amount):
    global balance
    with balance_lock:  # taken here, given back when the block ends (even on an exception)
        current = balance
        time.sleep(0.1)  # a slow step between reading and writing the shared value
        balance = current + amount
        print(f"{name} deposited {amount}, balance is now {balance}")


if __name__ == "__main__":
    threads = [threading.Thread(target=deposit, args=(f"T{n}", 10)) for n in range(1, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"final balance {balance} (5 deposits of 10)")
